package dev.functiongateway.faults;

import static dev.functiongateway.faults.FaultGateway.calling;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.functiongateway.support.Deployments.Deployed;
import dev.functiongateway.support.AdminClient;
import dev.functiongateway.support.RunningGateway;
import dev.functiongateway.support.TestPostgres;
import dev.functiongateway.support.TestWorker;
import dev.functiongateway.test.inference.GRPCInferenceServiceGrpc;
import dev.functiongateway.test.inference.ModelInferRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;

/**
 * The gateway stops (gracefully) and starts again on the same ports and PostgreSQL database while clients call
 * without pause, each on its own connection, waiting for the connection to be ready as a patient client does.
 * Calls may fail only while the gateway is down; from the moment it is up again, every call succeeds, on the
 * functions and keys stored before.
 */
class RestartUnderLoadTest {

    private static final int CLIENTS = 4;
    /** Calls each client makes before the restart, and successful calls after it. */
    private static final int CALLS = 20;

    /** One finished call: when it started (System.nanoTime) and how it ended. */
    private record Call(long startedAt, Status.Code code) {
    }

    @Test
    void clientsReconnectAndSucceedOnTheRegistryAndKeysStoredBefore() throws Exception {
        Map<String, String> properties = FaultGateway.properties(RunningGateway.postgres(TestPostgres.newDatabase()));
        RunningGateway gateway = RunningGateway.start(properties);
        List<Thread> clients = new ArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        try (TestWorker worker = new TestWorker("w")) {
            AdminClient admin = gateway.admin(FaultGateway.ADMIN_KEY);
            String key = FaultGateway.invokeKey(admin);
            Deployed d = FaultGateway.deploy(admin, true, worker.address());
            properties.put("server.port", String.valueOf(gateway.httpPort()));
            properties.put("gateway.proxy.port", String.valueOf(gateway.grpcPort()));

            ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
            AtomicLong upAgainAt = new AtomicLong(Long.MAX_VALUE);
            AtomicLong okAfter = new AtomicLong();
            for (int i = 0; i < CLIENTS; i++) {
                ManagedChannel channel = FaultGateway.connection(gateway.grpcPort());
                var stub = calling(GRPCInferenceServiceGrpc.newBlockingStub(channel), key, d).withWaitForReady();
                Thread client = new Thread(() -> {
                    try {
                        while (running.get()) {
                            long started = System.nanoTime();
                            Status.Code code = Status.Code.OK;
                            try {
                                stub.withDeadlineAfter(20, TimeUnit.SECONDS)
                                        .modelInfer(ModelInferRequest.newBuilder().setModelName("m").build());
                            } catch (RuntimeException e) {
                                code = Status.fromThrowable(e).getCode();
                            }
                            calls.add(new Call(started, code));
                            if (code == Status.Code.OK && started > upAgainAt.get()) {
                                okAfter.incrementAndGet();
                            }
                        }
                    } finally {
                        channel.shutdownNow();
                    }
                }, "restart-client-" + i);
                client.start();
                clients.add(client);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> calls.size() >= CLIENTS * CALLS);

            gateway.close();
            gateway = RunningGateway.start(properties);
            upAgainAt.set(System.nanoTime());
            await().atMost(Duration.ofSeconds(60)).until(() -> okAfter.get() >= CLIENTS * CALLS);
            running.set(false);
            for (Thread client : clients) {
                client.join(30_000);
            }

            List<Call> afterRestart = calls.stream().filter(c -> c.startedAt() > upAgainAt.get()).toList();
            System.out.printf("Restart under load: %d calls, %d failed while the gateway was down, %d started after it was up%n",
                    calls.size(), calls.stream().filter(c -> c.code() != Status.Code.OK).count(), afterRestart.size());
            assertThat(afterRestart).extracting(Call::code).containsOnly(Status.Code.OK);
            assertThat(calls.stream().filter(c -> c.code() == Status.Code.OK).count())
                    .isGreaterThanOrEqualTo(2L * CLIENTS * CALLS);
            // The registry and the keys came back from the database.
            AdminClient again = gateway.admin(FaultGateway.ADMIN_KEY);
            assertThat(again.get(d.versionPath()).at("/function/status")).isEqualTo("ACTIVE");
            assertThat(again.get("/v1/keys").text()).contains("\"faults\"");
        } finally {
            running.set(false);
            gateway.close();
        }
    }
}

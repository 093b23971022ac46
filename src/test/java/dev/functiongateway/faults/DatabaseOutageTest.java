package dev.functiongateway.faults;

import static dev.functiongateway.faults.FaultGateway.calling;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.functiongateway.support.Deployments.Deployed;
import dev.functiongateway.support.AdminClient;
import dev.functiongateway.support.AdminClient.Response;
import dev.functiongateway.support.RunningGateway;
import dev.functiongateway.support.TestPostgres;
import dev.functiongateway.support.TestWorker;
import dev.functiongateway.test.inference.GRPCInferenceServiceGrpc;
import dev.functiongateway.test.inference.ModelInferRequest;
import io.grpc.ManagedChannel;

/**
 * PostgreSQL goes away for a while under a running gateway: a relay between them is cut for
 * {@code -Dfaults.db-outage-seconds} (default 5; the scenario is 30). Invocation goes on from the
 * in-memory snapshot, admin writes are refused with 503 problem details, and all resumes when the database
 * returns.
 */
@ExtendWith(OutputCaptureExtension.class)
class DatabaseOutageTest {

    private static final long OUTAGE_SECONDS = Long.getLong("faults.db-outage-seconds", 5);

    @Test
    void invocationGoesOnAdminWritesAre503AndAllResumesWhenTheDatabaseReturns(CapturedOutput output) throws Exception {
        String jdbcUrl = TestPostgres.newDatabase();
        URI database = URI.create(jdbcUrl.substring("jdbc:".length()));
        try (TcpRelay relay = new TcpRelay(database.getPort()); TestWorker worker = new TestWorker("w");
                RunningGateway gateway = RunningGateway.start(FaultGateway.properties(RunningGateway.postgres(
                        jdbcUrl.replace(":" + database.getPort() + "/", ":" + relay.port() + "/"))))) {
            AdminClient admin = gateway.admin(FaultGateway.ADMIN_KEY);
            String key = FaultGateway.invokeKey(admin);
            Deployed before = FaultGateway.deploy(admin, true, worker.address());
            int logStart = output.length();

            relay.cut();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(OUTAGE_SECONDS);
            int calls = 0;
            int writes = 0;
            while (System.nanoTime() < end) {
                assertThat(infer(gateway, key, before)).isEqualTo("w");
                calls++;
                if (writes < 2) {
                    Response refused = admin.post("/v2/nvcf/functions", "{\"name\":\"during\"}");
                    assertThat(refused.status()).as(refused.text()).isEqualTo(503);
                    assertThat(refused.contentType()).startsWith("application/problem+json");
                    assertThat(refused.at("/detail")).isNotBlank().doesNotContain("Exception").doesNotContain("org.")
                            .doesNotContain("jdbc");
                    writes++;
                }
            }
            assertThat(writes).as("admin writes tried during the outage").isPositive();
            relay.restore();

            // A write goes through again, and the refresh brings it to routing.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(
                    () -> admin.post("/v1/keys", "{\"name\":\"after\",\"scopes\":[\"invoke_function\"]}").status() == 200);
            Deployed after = FaultGateway.deploy(admin, true, worker.address());
            assertThat(infer(gateway, key, after)).isEqualTo("w");
            assertThat(infer(gateway, key, before)).isEqualTo("w");
            assertThat(calls).isPositive();
            // The gateway's own lines say what happened in one line each; PostgreSQL's driver, Hikari and Spring's
            // transaction template log their own traces, which are not ours to change.
            assertThat(output.toString().substring(logStart).lines()
                    .filter(line -> line.contains(" ERROR ") && line.contains("functiongateway"))).isEmpty();
            // The refreshes (every 500 ms here) say so once when they start failing and once when they work again.
            for (String refresh : new String[] {"Registry refresh", "Key index refresh"}) {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    String log = output.toString().substring(logStart);
                    long failed = log.lines().filter(line -> line.contains(refresh + " failed")).count();
                    assertThat(failed).as(refresh + " failures logged").isLessThanOrEqualTo(1);
                    assertThat(log.lines().filter(line -> line.contains(refresh + " works again")).count())
                            .as(refresh + " recoveries logged").isEqualTo(failed);
                });
            }
        }
    }

    private static String infer(RunningGateway gateway, String key, Deployed d) throws InterruptedException {
        ManagedChannel channel = FaultGateway.connection(gateway.grpcPort());
        try {
            return calling(GRPCInferenceServiceGrpc.newBlockingStub(channel), key, d)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .modelInfer(ModelInferRequest.newBuilder().setModelName("m").build()).getModelName();
        } finally {
            FaultGateway.close(channel);
        }
    }
}

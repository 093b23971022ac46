package dev.functiongateway.faults;

import static dev.functiongateway.faults.FaultGateway.calling;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.functiongateway.support.Deployments.Deployed;
import dev.functiongateway.proxy.ProxyProperties;
import dev.functiongateway.support.AdminClient;
import dev.functiongateway.support.GaugePeak;
import dev.functiongateway.support.RunningGateway;
import dev.functiongateway.support.SilentServer;
import dev.functiongateway.support.TestWorker;
import dev.functiongateway.test.inference.GRPCInferenceServiceGrpc;
import dev.functiongateway.test.inference.ModelInferRequest;
import dev.functiongateway.test.inference.ModelStreamInferResponse;
import dev.functiongateway.test.streams.Chunk;
import dev.functiongateway.test.streams.DownloadRequest;
import dev.functiongateway.test.streams.StreamsGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Workers failing under a running gateway, as users meet it: one killed in the middle of a stream, one that
 * hangs, and a client that stops reading. Stream windows are small (64 KiB) so that a stalled stream is cheap to
 * reach and the memory bound means something.
 */
class WorkerFaultsTest {

    private static RunningGateway gateway;
    private static AdminClient admin;
    private static String key;
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeAll
    static void start() {
        gateway = FaultGateway.startOnH2("workers", Map.of("gateway.proxy.stream-window", "64KB",
                "gateway.proxy.connection-window", "256KB", "gateway.proxy.max-frame-size", "16KB"));
        admin = gateway.admin(FaultGateway.ADMIN_KEY);
        key = FaultGateway.invokeKey(admin);
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
    }

    private TestWorker worker(String name) {
        TestWorker worker = new TestWorker(name);
        closeAfter.add(worker);
        return worker;
    }

    private TcpRelay relay(TestWorker worker) {
        TcpRelay relay = new TcpRelay(worker.port());
        closeAfter.add(0, relay);
        return relay;
    }

    private ManagedChannel connection() {
        ManagedChannel channel = FaultGateway.connection(gateway.grpcPort());
        closeAfter.add(() -> FaultGateway.close(channel));
        return channel;
    }

    private String infer(ManagedChannel channel, Deployed d) {
        return calling(GRPCInferenceServiceGrpc.newBlockingStub(channel), key, d).withDeadlineAfter(10, TimeUnit.SECONDS)
                .modelInfer(ModelInferRequest.newBuilder().setModelName("m").build()).getModelName();
    }

    /** One bidi inference stream; answers (the answering worker's name) and its end arrive in queues. */
    private static final class InferStream implements StreamObserver<ModelStreamInferResponse> {

        final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        final CompletableFuture<Void> end = new CompletableFuture<>();
        final StreamObserver<ModelInferRequest> requests;

        InferStream(ManagedChannel channel, Deployed d) {
            requests = calling(GRPCInferenceServiceGrpc.newStub(channel), key, d).modelStreamInfer(this);
        }

        String ask() throws InterruptedException {
            requests.onNext(ModelInferRequest.newBuilder().setModelName("m").build());
            String answer = answers.poll(10, TimeUnit.SECONDS);
            assertThat(answer).as("an answer on the stream").isNotNull();
            return answer;
        }

        @Override
        public void onNext(ModelStreamInferResponse value) {
            answers.add(value.getInferResponse().getModelName());
        }

        @Override
        public void onError(Throwable t) {
            end.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            end.complete(null);
        }
    }

    private static Status.Code endCode(CompletableFuture<?> end) {
        assertThatThrownBy(() -> end.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        return Status.fromThrowable(end.handle((v, e) -> e).join()).getCode();
    }

    /**
     * The kill is a cut TCP relay in front of each worker: the gateway's connection ends with no HTTP/2 goodbye,
     * as when a worker's process is killed. (grpc-java's {@code shutdownNow} would reset each stream first, and a
     * reset is passed on to the client as the worker's own CANCELLED.)
     */
    @Test
    void aWorkerKilledMidStreamEndsItsStreamUnavailableAndNothingElse() throws Exception {
        Map<String, TcpRelay> relays = Map.of("a", relay(worker("a")), "b", relay(worker("b")));
        Deployed d = FaultGateway.deploy(admin, true, relays.get("a").address(), relays.get("b").address());
        InferStream doomed = new InferStream(connection(), d);
        String doomedWorker = doomed.ask();
        InferStream survivor = new InferStream(connection(), d);
        String survivorWorker = survivor.ask();
        assertThat(survivorWorker).as("two sessions spread over two workers").isNotEqualTo(doomedWorker);

        relays.get(doomedWorker).cut();

        assertThat(endCode(doomed.end)).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(survivor.ask()).isEqualTo(survivorWorker);
        survivor.requests.onCompleted();
        survivor.end.get(10, TimeUnit.SECONDS);
        // The next session goes to the worker that is left, at its first call.
        assertThat(infer(connection(), d)).isEqualTo(survivorWorker);
    }

    @Test
    void aHangingWorkerMeetsTheClientsDeadlineOnAStreamAndSeesTheCancel() throws Exception {
        TestWorker hanging = worker("hanging");
        Deployed d = FaultGateway.deploy(admin, true, hanging.address());
        // ProxyCallTest covers a unary call; here a stream the worker never answers, under a deadline.
        CompletableFuture<Void> end = new CompletableFuture<>();
        calling(GRPCInferenceServiceGrpc.newStub(connection()), key, d).withDeadlineAfter(500, TimeUnit.MILLISECONDS)
                .modelStreamInfer(new StreamObserver<>() {
                    @Override
                    public void onNext(ModelStreamInferResponse value) {
                        end.completeExceptionally(new AssertionError("the worker answered"));
                    }

                    @Override
                    public void onError(Throwable t) {
                        end.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        end.complete(null);
                    }
                });
        assertThat(endCode(end)).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(hanging.cancelled.await(10, TimeUnit.SECONDS)).as("the worker saw the cancel").isTrue();
    }

    @Test
    void aWorkerThatAcceptsButNeverSpeaksMeetsTheClientsDeadlineNotTheKeepalive() throws Exception {
        try (SilentServer silent = new SilentServer()) {
            Deployed d = FaultGateway.deploy(admin, false, silent.address());
            var stub = calling(GRPCInferenceServiceGrpc.newBlockingStub(connection()), key, d)
                    .withDeadlineAfter(500, TimeUnit.MILLISECONDS);
            assertThatThrownBy(() -> stub.modelInfer(ModelInferRequest.newBuilder().setModelName("m").build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        }
    }

    @Test
    void aClientThatNeverReadsStopsTheWorkersSendsAndTheGatewayHoldsAtMostTwoWindows() throws Exception {
        TestWorker worker = worker("w");
        Deployed d = FaultGateway.deploy(admin, true, worker.address());
        MeterRegistry meters = gateway.bean(MeterRegistry.class);
        long window = gateway.bean(ProxyProperties.class).streamWindow().toBytes();
        GaugePeak buffered = new GaugePeak(meters, "gateway.grpc.buffered.bytes");
        int messages = 2048;
        CompletableFuture<ClientCallStreamObserver<DownloadRequest>> call = new CompletableFuture<>();
        calling(StreamsGrpc.newStub(connection()), key, d).download(
                DownloadRequest.newBuilder().setMessages(messages).setSize(64 * 1024).build(),
                new ClientResponseObserver<DownloadRequest, Chunk>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<DownloadRequest> requests) {
                        requests.disableAutoRequestWithInitial(0);
                        call.complete(requests);
                    }

                    @Override
                    public void onNext(Chunk value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        // The worker's sends stop: its count stays the same between two looks 500 ms apart.
        long[] last = { -1 };
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
            long now = worker.downloadSent.get();
            boolean still = now > 0 && now == last[0];
            last[0] = now;
            return still;
        });
        assertThat(last[0]).as("chunks the worker could send").isLessThan(messages);
        // Others are served meanwhile.
        assertThat(infer(connection(), d)).isEqualTo("w");
        call.get().cancel("the test is over", null);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> meters.get("gateway.grpc.buffered.bytes").gauge().value() == 0);
        buffered.close();
        assertThat(buffered.max()).as("bytes the gateway held").isPositive().isLessThanOrEqualTo(2 * window);
    }
}

package dev.functiongateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.functiongateway.support.AdminClient;
import dev.functiongateway.support.Deployments;
import dev.functiongateway.support.Deployments.Deployed;
import dev.functiongateway.support.FirstMessage;
import dev.functiongateway.support.RunningGateway;
import dev.functiongateway.support.TestWorker;
import dev.functiongateway.test.inference.GRPCInferenceServiceGrpc;
import dev.functiongateway.test.inference.ModelInferRequest;
import dev.functiongateway.test.streams.Chunk;
import dev.functiongateway.test.streams.StreamsGrpc;
import dev.functiongateway.test.streams.Summary;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;

/**
 * Shutdown: the gateway reports not ready, takes no new connections, lets calls in flight finish within the
 * drain time, then cancels the rest with UNAVAILABLE and the worker sees the cancel.
 */
class GracefulDrainTest {

    private static final String ADMIN_KEY = "drain-admin-key-0123456789";

    @Test
    void callsInFlightFinishWithinTheDrainTimeAndTheRestAreCancelled() throws Exception {
        try (TestWorker worker = new TestWorker("w")) {
            RunningGateway gateway = RunningGateway.start(Map.of(
                    "spring.datasource.url", "jdbc:h2:file:./target/test-data/drain-" + UUID.randomUUID(),
                    "gateway.auth.bootstrap-admin-key", ADMIN_KEY,
                    "gateway.routing.health-interval", "200ms",
                    "gateway.proxy.drain-time", "2s"));
            AdminClient admin = gateway.admin(ADMIN_KEY);
            Deployed d = Deployments.register(admin, "{\"name\":\"drained\"}");
            String fid = d.functionId();
            String path = d.path();
            admin.post(path, "{\"endpoints\":[\"" + worker.address() + "\"]}");
            await().atMost(Duration.ofSeconds(10)).until(() -> "ACTIVE".equals(admin.get(path).at("/deployment/status")));
            String key = admin.post("/v1/keys", "{\"name\":\"c\",\"scopes\":[\"invoke_function\"]}").at("/value");
            Metadata md = ProxyTestSupport.metadata(key, fid, null);
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort()).usePlaintext()
                    .build();
            var stub = GRPCInferenceServiceGrpc.newFutureStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
            var finishing = stub.modelInfer(ModelInferRequest.newBuilder().setModelName("delay-1000").build());
            var endless = stub.modelInfer(ModelInferRequest.newBuilder().setModelName("slow").build());
            // A client stream still sending when the drain time runs out.
            FirstMessage<Summary> summary = new FirstMessage<>();
            CompletableFuture<Summary> uploading = summary.received;
            StreamObserver<Chunk> upload = StreamsGrpc.newStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
                    .hold(summary);
            upload.onNext(Chunk.newBuilder().setData(TestWorker.chunk(1, 1024)).build());
            await().atMost(Duration.ofSeconds(5)).until(() -> worker.calls.get() == 3);

            AdminClient management = gateway.management();
            var ready = management.get("/actuator/health/readiness");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.at("/components/registry/status")).isEqualTo("UP");
            assertThat(ready.at("/components/grpcListener/status")).isEqualTo("UP");
            assertThat(ready.at("/components/readinessState/status")).isEqualTo("UP");
            assertThat(management.get("/actuator/health/liveness").status()).isEqualTo(200);

            CompletableFuture<Void> stopped = CompletableFuture.runAsync(gateway::close);
            await().atMost(Duration.ofSeconds(2)).until(() -> management
                    .get("/actuator/health/readiness").status() == 503);
            ManagedChannel late = NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort()).usePlaintext().build();
            assertThatThrownBy(() -> GRPCInferenceServiceGrpc.newBlockingStub(late)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
                    .modelInfer(ModelInferRequest.getDefaultInstance()))
                    .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.UNAVAILABLE));

            assertThat(finishing.get(5, TimeUnit.SECONDS).getModelName()).isEqualTo("w");
            assertThatThrownBy(() -> endless.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .satisfies(e -> assertThat(Status.fromThrowable(e.getCause()).getCode())
                            .isEqualTo(Status.Code.UNAVAILABLE));
            assertThat(worker.cancelled.await(5, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> uploading.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .satisfies(e -> assertThat(Status.fromThrowable(e.getCause()).getCode())
                            .isEqualTo(Status.Code.UNAVAILABLE));
            stopped.get(30, TimeUnit.SECONDS);
            channel.shutdownNow();
            late.shutdownNow();
        }
    }
}

package dev.functiongateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import dev.functiongateway.support.Deployments.Deployed;
import dev.functiongateway.support.FirstMessage;
import dev.functiongateway.test.inference.GRPCInferenceServiceGrpc;
import dev.functiongateway.test.inference.ModelInferRequest;
import dev.functiongateway.test.inference.ModelStreamInferResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;

/**
 * The listener closes idle client connections, and that releases their sessions; a connection that closes while
 * its session waits in the queue leaves the queue. The queue wait (20 s) outlasts each test's awaits.
 */
@TestPropertySource(properties = { "gateway.proxy.idle-timeout=1s",
        "gateway.routing.queue-max-wait=20s" })
class IdleConnectionTest extends ProxyTestSupport {

    @Test
    void anIdleConnectionIsClosedAndItsSlotGoesToTheNextSession() throws Exception {
        Deployed d = deploy(1, worker("only"));
        var idle = with(GRPCInferenceServiceGrpc.newBlockingStub(connection()), metadata(invokeKey, d.functionId(), null));
        idle.modelInfer(ModelInferRequest.newBuilder().setModelName("m").build());

        long start = System.nanoTime();
        var next = GRPCInferenceServiceGrpc.newFutureStub(connection())
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata(invokeKey, d.functionId(), null)))
                .modelInfer(ModelInferRequest.newBuilder().setModelName("m").build());
        assertThat(next.get(15, TimeUnit.SECONDS).getModelName()).isEqualTo("only");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(500);
    }

    @Test
    void aConnectionThatClosesWhileQueuedLeavesTheQueue() throws Exception {
        Deployed d = deploy(1, worker("only"));
        FirstMessage<ModelStreamInferResponse> first = new FirstMessage<>();
        // An open stream: a call in flight, so the holding connection is not idle and keeps the only slot.
        StreamObserver<ModelInferRequest> holding = with(GRPCInferenceServiceGrpc.newStub(connection()),
                metadata(invokeKey, d.functionId(), null)).modelStreamInfer(first);
        holding.onNext(ModelInferRequest.newBuilder().setModelName("m").build());
        first.received.get(10, TimeUnit.SECONDS);

        ManagedChannel leaving = connection();
        var waiting = GRPCInferenceServiceGrpc.newFutureStub(leaving)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata(invokeKey, d.functionId(), null)))
                .modelInfer(ModelInferRequest.newBuilder().setModelName("m").build());
        String queue = "/v2/nvcf/queues/functions/" + d.functionId();
        await().atMost(Duration.ofSeconds(10)).until(() -> admin.get(queue).json().at("/anyVersionQueueDepth")
                .asInt() == 1);

        leaving.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        await("the closed connection's wait left the queue while the slot is still held")
                .atMost(Duration.ofSeconds(10)).until(() -> admin.get(queue).json().at("/anyVersionQueueDepth")
                        .asInt() == 0);
        assertThat(waiting.isDone()).isTrue();
        assertThat(management.get("/actuator/prometheus").text()).as("recorded as a client that left, not a refusal")
                .containsPattern("gateway_queue_wait_seconds_count\\{function_id=\"" + d.functionId()
                        + "\",function_version_id=\"any\",outcome=\"left\"\\} 1");

        holding.onCompleted();
        var next = with(GRPCInferenceServiceGrpc.newBlockingStub(connection()), metadata(invokeKey, d.functionId(),
                null));
        assertThat(next.modelInfer(ModelInferRequest.newBuilder().setModelName("m").build()).getModelName())
                .isEqualTo("only");
    }
}

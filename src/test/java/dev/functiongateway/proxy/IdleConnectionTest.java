package dev.functiongateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;

/**
 * The listener closes idle client connections, and that releases their sessions; a connection that closes while
 * its session waits in the queue leaves the queue, and so does one whose waiting calls all gave up. The queue
 * wait (20 s) outlasts each test's awaits.
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
        StreamObserver<ModelInferRequest> holding = callInFlight(connection(), d);

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

    @Test
    void aSessionWhoseWaitingCallsAllGaveUpLeavesTheQueueThoughItsConnectionStaysOpen() throws Exception {
        Deployed d = deploy(1, worker("only"));
        Deployed other = deploy(0, worker("other"));
        StreamObserver<ModelInferRequest> holding = callInFlight(connection(), d);
        // A call in flight to another function keeps this connection from going idle, and so open.
        ManagedChannel staying = connection();
        StreamObserver<ModelInferRequest> busy = callInFlight(staying, other);

        String queue = "/v2/nvcf/queues/functions/" + d.functionId();
        var timesOut = with(GRPCInferenceServiceGrpc.newBlockingStub(staying), metadata(invokeKey, d.functionId(),
                null)).withDeadlineAfter(500, TimeUnit.MILLISECONDS);
        assertThatThrownBy(() -> timesOut.modelInfer(ModelInferRequest.newBuilder().setModelName("m").build()))
                .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        await("the wait its one call gave up by its deadline left the queue").atMost(Duration.ofSeconds(10))
                .until(() -> admin.get(queue).json().at("/anyVersionQueueDepth").asInt() == 0);

        var cancelled = GRPCInferenceServiceGrpc.newFutureStub(staying)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata(invokeKey, d.functionId(), null)))
                .modelInfer(ModelInferRequest.newBuilder().setModelName("m").build());
        await().atMost(Duration.ofSeconds(10)).until(() -> admin.get(queue).json().at("/anyVersionQueueDepth")
                .asInt() == 1);
        cancelled.cancel(true);
        await("the wait its one call cancelled left the queue").atMost(Duration.ofSeconds(10))
                .until(() -> admin.get(queue).json().at("/anyVersionQueueDepth").asInt() == 0);
        assertThat(management.get("/actuator/prometheus").text()).as("both recorded as clients that left")
                .containsPattern("gateway_queue_wait_seconds_count\\{function_id=\"" + d.functionId()
                        + "\",function_version_id=\"any\",outcome=\"left\"\\} 2");

        // The holder's call ends, its connection idles out and frees the slot: the staying connection, which no
        // longer waits, queues anew and is served.
        holding.onCompleted();
        var next = with(GRPCInferenceServiceGrpc.newBlockingStub(staying), metadata(invokeKey, d.functionId(), null));
        assertThat(next.modelInfer(ModelInferRequest.newBuilder().setModelName("m").build()).getModelName())
                .isEqualTo("only");
        busy.onCompleted();
    }

    /**
     * A streaming call on {@code channel}, answered once and left open: a call in flight, so that the connection
     * is not idle and keeps its session's slot.
     */
    private StreamObserver<ModelInferRequest> callInFlight(ManagedChannel channel, Deployed d) throws Exception {
        FirstMessage<ModelStreamInferResponse> first = new FirstMessage<>();
        StreamObserver<ModelInferRequest> call = with(GRPCInferenceServiceGrpc.newStub(channel),
                metadata(invokeKey, d.functionId(), null)).modelStreamInfer(first);
        call.onNext(ModelInferRequest.newBuilder().setModelName("m").build());
        first.received.get(10, TimeUnit.SECONDS);
        return call;
    }
}

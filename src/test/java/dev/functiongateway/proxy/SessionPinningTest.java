package dev.functiongateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.google.common.util.concurrent.ListenableFuture;

import dev.functiongateway.support.Deployments;
import dev.functiongateway.support.Deployments.Deployed;
import dev.functiongateway.support.TestWorker;
import dev.functiongateway.test.inference.GRPCInferenceServiceGrpc;
import dev.functiongateway.test.inference.ModelInferRequest;
import dev.functiongateway.test.inference.ModelInferResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** Sessions: pinned to the client connection, spread over instances, moved on failure, queued when full. */
class SessionPinningTest extends ProxyTestSupport {

    @Test
    void callsOnOneConnectionReachOneInstanceWithOneRequestId() {
        Deployed d = deploy(0, worker("a"), worker("b"));
        ManagedChannel first = connection();
        Set<String> workers = new HashSet<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            ModelInferResponse r = infer(first, d);
            workers.add(r.getModelName());
            ids.add(r.getId());
        }
        assertThat(workers).hasSize(1);
        assertThat(ids).hasSize(1);

        ModelInferResponse other = infer(connection(), d);
        assertThat(other.getId()).isNotIn(ids);
        assertThat(other.getModelName()).isNotIn(workers);
    }

    @Test
    void oneConnectionCallingTwoFunctionsHasASessionOnEach() {
        Deployed one = deploy(0, worker("one"));
        Deployed two = deploy(0, worker("two"));
        ManagedChannel channel = connection();
        for (int i = 0; i < 3; i++) {
            assertThat(infer(channel, one).getModelName()).isEqualTo("one");
            assertThat(infer(channel, two).getModelName()).isEqualTo("two");
            // A malformed id after good ones is still refused, and the next good one still served.
            assertThatThrownBy(() -> infer(channel, new Deployed(one.functionId() + "0", null, null)))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                            .isEqualTo(Status.Code.INVALID_ARGUMENT));
        }
        assertThat(infer(channel, one).getId()).isNotEqualTo(infer(channel, two).getId());
    }

    @Test
    void sessionsSpreadEvenlyAcrossInstances() {
        Deployed d = deploy(0, worker("a"), worker("b"));
        Map<String, Integer> perWorker = new HashMap<>();
        for (int i = 0; i < 6; i++) {
            perWorker.merge(infer(connection(), d).getModelName(), 1, Integer::sum);
        }
        assertThat(perWorker).containsOnly(Map.entry("a", 3), Map.entry("b", 3));
    }

    @Test
    void whenThePinnedInstanceStopsTheConnectionMovesToAnotherUnderANewRequestId() throws Exception {
        TestWorker a = worker("a");
        TestWorker b = worker("b");
        Deployed d = deploy(0, a, b);
        ManagedChannel channel = connection();
        ModelInferResponse before = infer(channel, d);
        (before.getModelName().equals("a") ? a : b).close();

        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
            ModelInferResponse after = infer(channel, d);
            assertThat(after.getModelName()).isNotEqualTo(before.getModelName());
            assertThat(after.getId()).isNotEqualTo(before.getId());
        });
    }

    @Test
    void aFullInstanceQueuesTheNextSessionUntilAConnectionClosesOrTheWaitRunsOut() throws Exception {
        TestWorker only = worker("only");
        Deployed d = deploy(1, only);
        ManagedChannel holder = connection();
        infer(holder, d);

        ListenableFuture<ModelInferResponse> waiting = GRPCInferenceServiceGrpc.newFutureStub(connection())
                .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(
                        metadata(invokeKey, d.functionId(), d.versionId())))
                .modelInfer(ModelInferRequest.newBuilder().setModelName("m").build());
        var queues = admin.withKey(createKey("[\"queue_details\"]", "[]"));
        String versionQueue = "/v2/nvcf/queues/functions/" + d.functionId() + "/versions/" + d.versionId();
        await().atMost(Duration.ofSeconds(2)).until(() -> queues.get(versionQueue).json()
                .at("/queues/0/queueDepth").asInt() == 1);
        assertThat(queues.get(versionQueue).at("/queues/0/functionVersionId")).isEqualTo(d.versionId());
        assertThat(queues.get("/v2/nvcf/queues/functions/" + d.functionId()).json().at("/anyVersionQueueDepth")
                .asInt()).isZero();
        assertThat(admin.withKey(invokeKey).get(versionQueue).status()).isEqualTo(403);
        assertThat(waiting.isDone()).isFalse();

        holder.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        assertThat(waiting.get(5, TimeUnit.SECONDS).getModelName()).isEqualTo("only");

        assertThatThrownBy(() -> infer(connection(), d)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(e.getStatus().getDescription()).contains("busy");
        });
    }

    @Test
    void aDeadInstanceIsTakenOutAndPutBackWhenItRecovers() throws Exception {
        TestWorker first = worker("first");
        Deployed d = deploy(0, first);
        int port = first.port();
        first.close();
        awaitStatus(d, "ERROR");
        TestWorker again = TestWorker.onPort("again", port);
        closeAfter.add(again);
        awaitStatus(d, "ACTIVE");
        assertThat(infer(connection(), d).getModelName()).isEqualTo("again");
    }

    @Test
    void anInstanceFailingItsHealthCheckIsTakenOutAndPutBack() {
        TestWorker a = worker("a");
        TestWorker b = worker("b");
        Deployed d = deploy(0, a, b);
        a.serving(false);
        awaitStatus(d, "DEGRADED");
        assertThat(infer(connection(), d).getModelName()).isEqualTo("b");
        b.serving(false);
        awaitStatus(d, "ERROR");
        assertThatThrownBy(() -> infer(connection(), d)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        a.serving(true);
        awaitStatus(d, "DEGRADED");
        assertThat(infer(connection(), d).getModelName()).isEqualTo("a");
        b.serving(true);
        awaitStatus(d, "ACTIVE");
    }

    @Test
    void selfRegisteredInstancesServeUntilTheirHeartbeatLapses() {
        TestWorker a = worker("a");
        Deployed d = Deployments.register(admin, "{\"name\":\"self\"}");
        deployed.add(d);
        assertThat(admin.put(d.path() + "/instances/a",
                "{\"address\":\"" + a.address() + "\",\"ttlSeconds\":2}").status()).isEqualTo(201);
        awaitStatus(d, "ACTIVE");
        assertThat(infer(connection(), d).getModelName()).isEqualTo("a");
        await().atMost(Duration.ofSeconds(8)).untilAsserted(() -> assertThatThrownBy(() -> infer(connection(), d))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE)));
    }

    private ModelInferResponse infer(ManagedChannel channel, Deployed d) {
        return with(GRPCInferenceServiceGrpc.newBlockingStub(channel), metadata(invokeKey, d.functionId(), null))
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .modelInfer(ModelInferRequest.newBuilder().setModelName("m").build());
    }
}

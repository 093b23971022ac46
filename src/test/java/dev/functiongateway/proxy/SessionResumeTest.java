package dev.functiongateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.functiongateway.support.AdminClient;
import dev.functiongateway.support.Deployments;
import dev.functiongateway.support.Deployments.Deployed;
import dev.functiongateway.support.RunningGateway;
import dev.functiongateway.support.TestPostgres;
import dev.functiongateway.support.TestWorker;
import dev.functiongateway.test.inference.GRPCInferenceServiceGrpc;
import dev.functiongateway.test.inference.ModelInferRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;

/**
 * The seed's reconnect flow on the gRPC listener: a client that comes back on a new connection with its
 * {@code nvcf-reqid} reaches the same worker under the same id, on any replica; an id that names nothing this key
 * may use is NOT_FOUND at once.
 */
class SessionResumeTest extends ProxyTestSupport {

    /** One call on its own new connection; returns the worker's name and the request id it was answered under. */
    private String[] call(int port, String key, Deployed d, String requestId) throws InterruptedException {
        Metadata md = metadata(key, d.functionId(), null);
        if (requestId != null) {
            md.put(REQUEST_ID, requestId);
        }
        AtomicReference<Metadata> headers = new AtomicReference<>();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            String worker = GRPCInferenceServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md),
                            MetadataUtils.newCaptureMetadataInterceptor(headers, new AtomicReference<>()))
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .modelInfer(ModelInferRequest.newBuilder().setModelName("m").build()).getModelName();
            return new String[] { worker, headers.get().get(REQUEST_ID) };
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aClientThatReconnectsWithItsIdGetsTheSameWorkerAndId() throws Exception {
        Deployed d = deploy(0, worker("a"), worker("b"), worker("c"));
        String[] first = call(grpcPort, invokeKey, d, null);
        for (int i = 0; i < 6; i++) {
            String[] again = call(grpcPort, invokeKey, d, first[1]);
            assertThat(again).containsExactly(first[0], first[1]);
        }
    }

    /**
     * The same flow with the seed's client library, grpcio: each call on a channel of its own (a local subchannel
     * pool, so a new connection each time), the id read from the response's initial metadata and sent back.
     */
    private static final String RECONNECTING_CLIENT = """
            import grpc, sys
            port, function_id, key = sys.argv[1:4]
            metadata = [("function-id", function_id), ("authorization", "Bearer " + key)]
            def call(extra):
                channel = grpc.insecure_channel("127.0.0.1:" + port, options=[("grpc.use_local_subchannel_pool", 1)])
                answer, call = channel.unary_unary("/inference.GRPCInferenceService/ModelInfer").with_call(
                    b"\\x0a\\x01m", metadata=metadata + extra, timeout=10)
                channel.close()
                worker = answer[2:2 + answer[1]].decode()  # ModelInferResponse.model_name: the worker's name
                return worker, dict(call.initial_metadata())["nvcf-reqid"]
            worker, request_id = call([])
            print("first", worker, request_id)
            for _ in range(3):
                print("again", *call([("nvcf-reqid", request_id)]))
            """;

    @Test
    void theSeedsPythonClientReconnectsWithItsIdToTheSameWorker() throws Exception {
        Deployed d = deploy(0, worker("a"), worker("b"), worker("c"));
        String output = grpcioClient(RECONNECTING_CLIENT, d, invokeKey);
        String[] lines = output.strip().split("\n");
        assertThat(lines).as(output).hasSize(4);
        String first = lines[0].substring("first ".length());
        assertThat(first).matches("[abc] \\S+");
        assertThat(Arrays.asList(lines).subList(1, 4)).as(output).containsOnly("again " + first);
    }

    @Test
    void anIdThatNamesNothingThisKeyMayUseIsNotFoundAtOnce() throws Exception {
        TestWorker worker = worker("w");
        Deployed d = deploy(0, worker);
        String id = call(grpcPort, invokeKey, d, null)[1];

        assertNotFound(() -> call(grpcPort, invokeKey, d, "not-an-id"));
        assertNotFound(() -> call(grpcPort, invokeKey, d, id.substring(0, id.length() - 2) + "xx"));
        String otherKey = createKey("[\"invoke_function\"]", "[]");
        assertNotFound(() -> call(grpcPort, otherKey, d, id));

        admin.delete(d.path());
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertNotFound(() -> call(grpcPort, invokeKey,
                redeployed(d), id)));
    }

    /** The same function deployed again (to a new worker): the old id's worker is gone. */
    private Deployed redeployed(Deployed d) {
        admin.post(d.path(), "{\"endpoints\":[\"" + worker("new").address() + "\"]}");
        awaitStatus(d, "ACTIVE");
        return d;
    }

    private static void assertNotFound(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(e.getStatus().getDescription()).contains("without nvcf-reqid");
        });
    }

    @Test
    void anIdMintedByOneReplicaResolvesOnAnotherSharingItsDatabase() throws Exception {
        Map<String, String> properties = new HashMap<>(RunningGateway.postgres(TestPostgres.newDatabase()));
        properties.put("gateway.auth.bootstrap-admin-key", ADMIN_KEY);
        properties.put("gateway.routing.health-interval", "200ms");
        properties.put("gateway.proxy.drain-time", "1s");
        try (RunningGateway one = RunningGateway.start(properties); RunningGateway two = RunningGateway.start(properties)) {
            AdminClient admin = one.admin(ADMIN_KEY);
            Deployed d = Deployments.register(admin, "{\"name\":\"shared\"}");
            admin.post(d.path(), "{\"endpoints\":[\"" + worker("x").address() + "\",\""
                    + worker("y").address() + "\",\"" + worker("z").address() + "\"]}");
            String key = admin.post("/v1/keys", "{\"name\":\"c\",\"scopes\":[\"invoke_function\"]}").at("/value");
            String[] first = await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> call(one.grpcPort(), key, d, null), r -> r != null);
            for (int i = 0; i < 4; i++) {
                String[] elsewhere = await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                        .until(() -> call(two.grpcPort(), key, d, first[1]), r -> r != null);
                assertThat(elsewhere).containsExactly(first[0], first[1]);
            }
        }
    }
}

package dev.functiongateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import dev.functiongateway.proxy.api.DescribeRequest;
import dev.functiongateway.proxy.api.GatewayInfoGrpc;
import dev.functiongateway.support.Deployments.Deployed;
import dev.functiongateway.support.TestWorker;
import dev.functiongateway.test.inference.GRPCInferenceServiceGrpc;
import dev.functiongateway.test.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import dev.functiongateway.test.inference.ModelInferRequest;
import dev.functiongateway.test.inference.ModelInferResponse;
import dev.functiongateway.test.inference.ServerLiveRequest;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;

/** One call through the gateway: admission errors, metadata rules, statuses, deadlines. */
class ProxyCallTest extends ProxyTestSupport {

    private static final Metadata.Key<String> CUSTOM = Metadata.Key.of("x-client-tag", Metadata.ASCII_STRING_MARSHALLER);

    @Test
    void theSeedsModelInferCallPassesThroughWithItsMetadata() throws Exception {
        TestWorker worker = worker("w1");
        Deployed d = deploy(0, worker);
        Metadata md = metadata(invokeKey, d.functionId(), d.versionId());
        md.put(CUSTOM, "kept");
        AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        GRPCInferenceServiceBlockingStub stub = with(GRPCInferenceServiceGrpc.newBlockingStub(connection()), md)
                .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers));

        ModelInferResponse response = stub.modelInfer(ModelInferRequest.newBuilder().setModelName("m")
                .setModelVersion("7").addRawInputContents(ByteString.copyFromUtf8("tensor")).build());

        assertThat(response.getModelName()).isEqualTo("w1");
        assertThat(response.getModelVersion()).isEqualTo("7");
        assertThat(response.getRawOutputContents(0).toStringUtf8()).isEqualTo("tensor");
        Metadata upstream = worker.lastHeaders();
        assertThat(upstream.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER))).isNull();
        assertThat(upstream.get(Metadata.Key.of("function-id", Metadata.ASCII_STRING_MARSHALLER)))
                .isEqualTo(d.functionId());
        assertThat(upstream.get(Metadata.Key.of("function-version-id", Metadata.ASCII_STRING_MARSHALLER)))
                .isEqualTo(d.versionId());
        assertThat(upstream.get(CUSTOM)).isEqualTo("kept");
        String requestId = upstream.get(REQUEST_ID);
        assertThat(UUID.fromString(requestId)).isNotNull();
        assertThat(response.getId()).isEqualTo(requestId);
        assertThat(responseHeaders.get().get(REQUEST_ID)).isEqualTo(requestId);
    }

    @Test
    void withoutAVersionIdAnyActiveVersionServesAndItsIdGoesUpstream() throws Exception {
        TestWorker worker = worker("w1");
        Deployed d = deploy(0, worker);
        var stub = with(GRPCInferenceServiceGrpc.newBlockingStub(connection()), metadata(invokeKey, d.functionId(), null));
        assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        assertThat(worker.lastHeaders().get(Metadata.Key.of("function-version-id", Metadata.ASCII_STRING_MARSHALLER)))
                .isEqualTo(d.versionId());
    }

    @Test
    void theKeyMayComeAsCallCredentials() {
        Deployed d = deploy(0, worker("w1"));
        CallCredentials credentials = new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, java.util.concurrent.Executor executor,
                    MetadataApplier applier) {
                Metadata md = new Metadata();
                md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + invokeKey);
                applier.apply(md);
            }
        };
        var stub = with(GRPCInferenceServiceGrpc.newBlockingStub(connection()), metadata(null, d.functionId(), null))
                .withCallCredentials(credentials);
        assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
    }

    @Test
    void everyAdmissionErrorHasItsStatusAndSaysWhatToFix() {
        TestWorker worker = worker("w1");
        Deployed d = deploy(0, worker);
        String fid = d.functionId();
        String unknown = UUID.randomUUID().toString();
        ManagedChannel channel = connection();

        assertStatus(channel, metadata(invokeKey, null, null), Status.Code.INVALID_ARGUMENT, "function-id");
        assertStatus(channel, metadata(invokeKey, "not-a-uuid", null), Status.Code.INVALID_ARGUMENT, "not a UUID");
        assertStatus(channel, metadata(invokeKey, fid, "v1"), Status.Code.INVALID_ARGUMENT, "function-version-id");
        assertStatus(channel, metadata(null, fid, null), Status.Code.UNAUTHENTICATED, "no API key");
        assertStatus(channel, metadata("fgw_short", fid, null), Status.Code.UNAUTHENTICATED, "malformed");
        assertStatus(channel, metadata("never-issued-key-000000", fid, null), Status.Code.UNAUTHENTICATED, "not known");
        assertStatus(channel, metadata(createKey("[\"list_functions\"]", "[]"), fid, null),
                Status.Code.PERMISSION_DENIED, "invoke_function");
        assertStatus(channel, metadata(createKey("[\"invoke_function\"]", "[\"" + unknown + "\"]"), fid, null),
                Status.Code.PERMISSION_DENIED, "may not invoke");
        assertStatus(channel, metadata(invokeKey, unknown, null), Status.Code.NOT_FOUND, "does not exist");
        assertStatus(channel, metadata(invokeKey, fid, unknown), Status.Code.NOT_FOUND, "no version");

        String revoked = admin.post("/v1/keys", "{\"name\":\"r\",\"scopes\":[\"invoke_function\"]}").json().toString();
        String revokedValue = revoked.replaceAll(".*\"value\":\"([^\"]+)\".*", "$1");
        admin.delete("/v1/keys/" + revoked.replaceAll(".*\"id\":\"([^\"]+)\".*", "$1"));
        assertStatus(channel, metadata(revokedValue, fid, null), Status.Code.UNAUTHENTICATED, "revoked");

        String expiring = admin.post("/v1/keys", "{\"name\":\"e\",\"scopes\":[\"invoke_function\"],\"expiresAt\":\""
                + java.time.Instant.now().plusSeconds(1) + "\"}").at("/value");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertStatus(channel,
                metadata(expiring, fid, null), Status.Code.UNAUTHENTICATED, "expired"));

        admin.delete(d.path());
        assertStatus(channel, metadata(invokeKey, fid, d.versionId()), Status.Code.UNAVAILABLE, "not ACTIVE");
        assertStatus(channel, metadata(invokeKey, fid, null), Status.Code.UNAVAILABLE, "no ACTIVE version");
    }

    /**
     * A grpcio client (which, unlike grpc-java's, sends metadata over the limit its peer advertised) on one
     * connection: a stream in flight, then calls with 9 000 bytes of metadata (over the gateway's limit) and 70 000
     * (over the codec's too), then the stream goes on.
     */
    private static final String OVERSIZED_METADATA_CLIENT = """
            import grpc, queue, sys
            port, function_id, key = sys.argv[1:4]
            metadata = [("function-id", function_id), ("authorization", "Bearer " + key)]
            channel = grpc.insecure_channel("127.0.0.1:" + port)
            request = b"\\x0a\\x01m"  # ModelInferRequest{model_name: "m"}
            sent = queue.Queue()
            stream = channel.stream_stream("/inference.GRPCInferenceService/ModelStreamInfer")(
                iter(sent.get, None), metadata=metadata, timeout=30)
            sent.put(request)
            next(stream)
            for size in (9000, 70000):
                try:
                    channel.unary_unary("/inference.GRPCInferenceService/ModelInfer")(
                        request, metadata=metadata + [("x-large", "a" * size)], timeout=10)
                    print("large:", size, "OK")
                except grpc.RpcError as e:
                    print("large:", size, e.code().name, e.details())
            sent.put(request)
            next(stream)
            sent.put(None)
            print("stream:", sum(1 for _ in stream), "more, then OK")
            """;

    @Test
    void metadataOverTheLimitIsResourceExhaustedAndTheConnectionsOtherCallsGoOn() throws Exception {
        Deployed d = deploy(0, worker("w1"));
        String output = grpcioClient(OVERSIZED_METADATA_CLIENT, d, invokeKey);
        String refused = " RESOURCE_EXHAUSTED the call's metadata is larger than the gateway accepts (8192 bytes,"
                + " gateway.proxy.max-header-list-size)";
        assertThat(output).as(output).contains("large: 9000" + refused).contains("large: 70000" + refused)
                .contains("stream: 0 more, then OK");
        assertThat(management.get("/actuator/prometheus").text()).containsPattern(
                "gateway_grpc_calls_seconds_count\\{code=\"RESOURCE_EXHAUSTED\",function_id=\"unknown\"[^}]*\\} 2");
    }

    @Test
    void anUnreachableWorkerIsUnavailable() throws Exception {
        TestWorker worker = worker("w1");
        Deployed d = deploy(0, worker);
        worker.close();
        assertStatus(connection(), metadata(invokeKey, d.functionId(), null), Status.Code.UNAVAILABLE, "");
        awaitStatus(d, "ERROR");
        assertStatus(connection(), metadata(invokeKey, d.functionId(), null), Status.Code.UNAVAILABLE,
                "no healthy instance");
    }

    @Test
    void workerStatusesMessagesAndTrailersComeBackUnchanged() {
        Deployed d = deploy(0, worker("w1"));
        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        var stub = with(GRPCInferenceServiceGrpc.newBlockingStub(connection()), metadata(invokeKey, d.functionId(), null))
                .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));
        assertThatThrownBy(() -> stub.modelInfer(ModelInferRequest.newBuilder().setModelName("fail").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo("input 0 has the wrong shape");
                    assertThat(e.getTrailers().get(TestWorker.WORKER_TRAILER)).isEqualTo("bad tensor shape");
                    assertThat(e.getTrailers().get(REQUEST_ID)).isNotBlank();
                });
    }

    @Test
    void theClientsDeadlineReachesTheWorkerWhichSeesTheCancel() throws Exception {
        TestWorker worker = worker("w1");
        Deployed d = deploy(0, worker);
        var stub = with(GRPCInferenceServiceGrpc.newBlockingStub(connection()), metadata(invokeKey, d.functionId(), null));
        assertThatThrownBy(() -> stub.withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                .modelInfer(ModelInferRequest.newBuilder().setModelName("slow").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        assertThat(worker.cancelled.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(worker.lastHeaders().get(Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER)))
                .isNotNull();
    }

    @Test
    void theGatewaysOwnServiceAnswersWithoutAKey() {
        var info = GatewayInfoGrpc.newBlockingStub(connection()).describe(DescribeRequest.getDefaultInstance());
        assertThat(info.getName()).isEqualTo("function-gateway");
    }

    @Test
    void aRevokedKeyIsRefusedOnAConnectionThatAlreadyUsedIt() {
        Deployed d = deploy(0, worker("w1"));
        var created = admin.post("/v1/keys", "{\"name\":\"open\",\"scopes\":[\"invoke_function\"]}");
        var stub = with(GRPCInferenceServiceGrpc.newBlockingStub(connection()),
                metadata(created.at("/value"), d.functionId(), null));
        assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        admin.delete("/v1/keys/" + created.at("/key/id"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThatThrownBy(
                () -> stub.serverLive(ServerLiveRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED)));
    }

    static void assertStatus(ManagedChannel channel, Metadata md, Status.Code code, String descriptionPart) {
        var stub = with(GRPCInferenceServiceGrpc.newBlockingStub(channel), md);
        assertThatThrownBy(() -> stub.serverLive(ServerLiveRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
                    assertThat(e.getStatus().getDescription()).contains(descriptionPart);
                });
    }
}

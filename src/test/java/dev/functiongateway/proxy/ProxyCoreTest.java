package dev.functiongateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;

import dev.functiongateway.support.AdminClient.Response;
import dev.functiongateway.support.ContentLengthLiar;
import dev.functiongateway.support.Deployments;
import dev.functiongateway.support.Deployments.Deployed;
import dev.functiongateway.support.GaugePeak;
import dev.functiongateway.support.HttpTestWorker;
import dev.functiongateway.support.ScriptedWorker;
import dev.functiongateway.support.RawHttp2;
import dev.functiongateway.support.RawHttp2.Frame;
import dev.functiongateway.support.SilentServer;
import dev.functiongateway.support.TestWorker;
import dev.functiongateway.test.inference.GRPCInferenceServiceGrpc;
import dev.functiongateway.test.inference.ModelInferRequest;
import dev.functiongateway.test.inference.ModelInferResponse;
import dev.functiongateway.test.streams.Chunk;
import dev.functiongateway.test.streams.StreamsGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The HTTP/2 stream core of the proxy under real conditions: cold and restarted worker connections, GOAWAY from
 * workers, messages far larger than every window, silent workers, and clients that are not gRPC or misbehave.
 * Windows are small here so that "larger than the windows" is cheap to reach.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = { "gateway.proxy.stream-window=64KB", "gateway.proxy.connection-window=256KB",
        "gateway.proxy.max-frame-size=16KB", "gateway.proxy.upstream-keepalive-time=500ms",
        "gateway.proxy.max-concurrent-streams=8", "gateway.proxy.max-resets-per-window=50" })
class ProxyCoreTest extends ProxyTestSupport {

    private static final long STREAM_WINDOW = 64 * 1024;

    @Autowired
    MeterRegistry meters;

    /** A gRPC function with no health check: nothing warms the worker connection before the first call. */
    private Deployed deployUnchecked(String address) {
        Deployed d = Deployments.register(admin, Deployments.uncheckedFunction("cold", "GRPC"));
        assertThat(admin.post(d.path(), "{\"endpoints\":[\"" + address + "\"]}").status()).isEqualTo(200);
        deployed.add(d);
        return d;
    }

    private String infer(Deployed d) {
        return with(GRPCInferenceServiceGrpc.newBlockingStub(connection()), metadata(invokeKey, d.functionId(), null))
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .modelInfer(ModelInferRequest.newBuilder().setModelName("m").build()).getModelName();
    }

    @Test
    void theFirstCallOnAColdWorkerConnectionAndCallsAfterTheWorkerRestartsSucceed() throws Exception {
        TestWorker first = new TestWorker("first");
        int port = first.port();
        // By name: the gateway resolves it without blocking its event loop.
        Deployed d = deployUnchecked("localhost:" + port);
        assertThat(infer(d)).isEqualTo("first");

        first.close();
        TestWorker second = worker(port);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> "second".equals(infer(d)));
        for (int i = 0; i < 5; i++) {
            assertThat(infer(d)).isEqualTo("second");
        }
        assertThat(second.calls.get()).isGreaterThanOrEqualTo(5);
    }

    private TestWorker worker(int port) {
        TestWorker worker = TestWorker.onPort("second", port);
        closeAfter.add(worker);
        return worker;
    }

    @Test
    void aWorkerThatSendsGoAwayMidTrafficLosesNoCallItAccepted() throws Exception {
        TestWorker aging = TestWorker.withMaxConnectionAge("aging", Duration.ofMillis(300));
        closeAfter.add(aging);
        Deployed d = deployUnchecked(aging.address());
        var stub = GRPCInferenceServiceGrpc.newFutureStub(connection()).withInterceptors(
                io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(metadata(invokeKey, d.functionId(), null)));
        List<com.google.common.util.concurrent.ListenableFuture<?>> calls = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < end) {
            calls.add(stub.modelInfer(ModelInferRequest.newBuilder().setModelName("delay-200").build()));
            Thread.sleep(20);
        }
        for (var call : calls) {
            call.get(20, TimeUnit.SECONDS);
        }
        assertThat(calls).hasSizeGreaterThan(50);
    }

    @Test
    void oneMessageManyTimesLargerThanTheWindowsPassesBothWaysWithBoundedBuffers() throws Exception {
        TestWorker worker = worker("echo");
        Deployed d = deploy(0, worker);
        GaugePeak buffered = new GaugePeak(meters, "gateway.grpc.buffered.bytes");
        ByteString big = TestWorker.chunk(7, 8 * 1024 * 1024);
        CompletableFuture<ByteString> echoed = new CompletableFuture<>();
        StreamObserver<Chunk> requests = with(StreamsGrpc.newStub(connection()), metadata(invokeKey, d.functionId(), null))
                .echo(new StreamObserver<>() {
                    @Override
                    public void onNext(Chunk chunk) {
                        echoed.complete(chunk.getData());
                    }

                    @Override
                    public void onError(Throwable t) {
                        echoed.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(Chunk.newBuilder().setData(big).build());
        requests.onCompleted();
        ByteString back = echoed.get(60, TimeUnit.SECONDS);
        buffered.close();

        assertThat(back.equals(big)).as("the 8 MiB message came back intact").isTrue();
        // One stream window each way at most, whatever the message size.
        assertThat(buffered.max()).isPositive().isLessThanOrEqualTo(2 * STREAM_WINDOW);
        await().atMost(Duration.ofSeconds(5)).until(() -> meters.get("gateway.grpc.buffered.bytes").gauge().value() == 0);
    }

    @Test
    void aWorkerThatStopsAnsweringEndsTheCallWithUnavailableWithoutAClientDeadline() throws Exception {
        try (SilentServer silent = new SilentServer()) {
            Deployed d = deployUnchecked(silent.address());
            var call = with(GRPCInferenceServiceGrpc.newFutureStub(connection()), metadata(invokeKey, d.functionId(), null))
                    .modelInfer(ModelInferRequest.newBuilder().setModelName("m").build());
            assertThatThrownBy(() -> call.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .satisfies(e -> assertThat(Status.fromThrowable(e.getCause()).getCode())
                            .isEqualTo(Status.Code.UNAVAILABLE));
        }
    }

    @Test
    void whatIsNotGrpcOverHttp2IsClosedQuietlyAndOthersAreServed(CapturedOutput output) throws Exception {
        Deployed d = deploy(0, worker("w"));
        int before = output.length();
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            try (Socket s = new Socket("127.0.0.1", grpcPort)) {
                // a port probe: connect and close
            }
        }
        byte[][] inputs = { "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                "PRI * HTTP/2.0\r\n".getBytes(StandardCharsets.US_ASCII), randomBytes(random, 4096),
                randomBytes(random, 20) };
        for (byte[] input : inputs) {
            try (Socket s = new Socket("127.0.0.1", grpcPort)) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(input);
                out.flush();
                if (input.length == 16) {
                    continue; // a truncated preface, then the client goes away
                }
                InputStream in = s.getInputStream();
                while (in.read(new byte[4096]) >= 0) {
                    // the gateway answers what it can, then closes
                }
            }
        }
        assertThat(infer(d)).isEqualTo("w");
        String log = output.toString().substring(before);
        assertThat(log).doesNotContain(" WARN ").doesNotContain(" ERROR ").doesNotContain("Exception");
    }

    /**
     * A refused call whose client sent DATA with its HEADERS: the gateway resets the stream, and the DATA frames
     * read with the HEADERS are dropped without a log line each (Netty's codec logs every one at INFO while the
     * reset is unsent), so that a client without a key cannot fill the log.
     */
    @Test
    void dataSentWithARefusedCallIsDroppedQuietly(CapturedOutput output) throws Exception {
        Deployed d = deploy(0, worker("w"));
        Map<String, String> noKey = request("/inference.GRPCInferenceService/ModelInfer", d);
        noKey.remove("authorization");
        int before = output.length();
        try (RawHttp2 client = new RawHttp2(grpcPort)) {
            client.headers(1, noKey, false);
            for (int i = 0; i < 50; i++) {
                client.data(1, new byte[100], false);
            }
            // A call on the same connection after them: once it is answered, the DATA frames were read.
            client.headers(3, request("/inference.GRPCInferenceService/ServerLive", d), true);
            client.flush();
            assertThat(readUntil(client, RawHttp2.RST_STREAM, 1)).as("the refused call's reset").isNotNull();
            assertThat(readUntil(client, RawHttp2.HEADERS, 3)).as("the next call's answer").isNotNull();
        }
        assertThat(output.toString().substring(before)).doesNotContain("ignoring DATA frame");
    }

    /**
     * A stream the codec itself resets towards the client (here: DATA beyond the request's own
     * {@code content-length}, a stream error in HTTP/2) is a cancelled call: the worker sees the cancel, as when
     * the client sends RST_STREAM, instead of waiting for the rest of a request that will never come, and the call
     * is recorded as CANCELLED.
     */
    @Test
    void aStreamTheCodecResetsIsCancelledAtTheWorkerToo(CapturedOutput output) throws Exception {
        int before = output.length();
        TestWorker worker = worker("w");
        Deployed d = deploy(0, worker);
        Map<String, String> headers = request("/inference.GRPCInferenceService/ModelStreamInfer", d);
        headers.put("content-length", "5");
        try (RawHttp2 client = new RawHttp2(grpcPort)) {
            client.headers(1, headers, false);
            client.flush();
            await().atMost(Duration.ofSeconds(5)).until(() -> worker.calls.get() == 1);
            client.data(1, new byte[10], false);
            client.flush();
            Frame reset = readUntil(client, RawHttp2.RST_STREAM, 1);
            assertThat(reset).as("the codec's reset").isNotNull();
            assertThat(reset.errorCode()).as("PROTOCOL_ERROR").isEqualTo(0x1);
            assertThat(worker.cancelled.await(5, TimeUnit.SECONDS)).as("the worker saw the cancel").isTrue();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> output.toString().substring(before)
                .contains("method=inference.GRPCInferenceService/ModelStreamInfer status="));
        assertThat(output.toString().substring(before))
                .contains("method=inference.GRPCInferenceService/ModelStreamInfer status=CANCELLED");
    }

    /**
     * The other way: a worker that breaks HTTP/2 on a stream (DATA past the {@code content-length} it announced)
     * has that stream reset by the codec, and the call ends then, not when the client's deadline passes.
     */
    @Test
    void aWorkerStreamTheCodecResetsEndsTheCallAtOnce() throws Exception {
        try (ContentLengthLiar liar = new ContentLengthLiar()) {
            Deployed d = deployUnchecked(liar.address());
            var stub = with(GRPCInferenceServiceGrpc.newBlockingStub(connection()),
                    metadata(invokeKey, d.functionId(), null));
            assertThatThrownBy(() -> stub.withDeadlineAfter(60, TimeUnit.SECONDS)
                    .modelInfer(ModelInferRequest.newBuilder().setModelName("m").build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).as("ended by the reset, not the deadline")
                                    .isNotEqualTo(Status.Code.DEADLINE_EXCEEDED));
        }
    }

    /**
     * A worker whose trailers are over {@code gateway.proxy.max-header-list-size} (as a grpcio worker may send them),
     * or even over the codec's limit: that call ends with RESOURCE_EXHAUSTED, and a call in flight on the same worker
     * connection goes on. Trailers so large that the codec must close the connection end the calls on it with
     * UNAVAILABLE, but the worker, which answers, is not taken for unreachable: the next call is served.
     */
    @Test
    void aWorkersOversizedTrailersEndOnlyWhatTheyMustAndTheWorkerStaysIn() throws Exception {
        try (ScriptedWorker worker = new ScriptedWorker()) {
            Deployed d = deployUnchecked(worker.address());
            ManagedChannel channel = connection();
            ListenableFuture<ModelInferResponse> inFlight = answeredAfter(channel, d, 1500);
            for (int bytes : new int[] { 9000, 100_000 }) {
                assertThatThrownBy(() -> callWithTrailers(channel, d, bytes)).isInstanceOfSatisfying(
                        StatusRuntimeException.class, e -> {
                            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                            assertThat(e.getStatus().getDescription()).contains("worker's response metadata")
                                    .contains("gateway.proxy.max-header-list-size");
                        });
            }
            assertThat(inFlight.get(10, TimeUnit.SECONDS)).as("the call in flight on the same connection").isNotNull();

            ListenableFuture<ModelInferResponse> cutOff = answeredAfter(channel, d, 1500);
            assertThatThrownBy(() -> callWithTrailers(channel, d, 200_000)).isInstanceOfSatisfying(
                    StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(e.getStatus().getDescription()).contains("broke the HTTP/2 protocol");
                    });
            assertThatThrownBy(() -> cutOff.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(StatusRuntimeException.class);

            assertThat(callWithTrailers(channel, d, 0)).as("the worker is still in").isNotNull();
            assertThat(management.get("/actuator/prometheus").text()).containsPattern(
                    "gateway_worker_connect_failures_total\\{function_id=\"" + d.functionId() + "\"[^}]*\\} 0.0");
        }
    }

    /**
     * A worker's answer with an HTTP status and no gRPC status (a proxy in front of it answered): the client maps it
     * as gRPC says, and so do the gateway's metrics and access line, rather than counting UNKNOWN.
     */
    @Test
    void anHttpStatusWithoutAGrpcStatusCountsAsGrpcMapsIt() throws Exception {
        try (ScriptedWorker worker = new ScriptedWorker()) {
            Deployed d = deployUnchecked(worker.address());
            Metadata md = metadata(invokeKey, d.functionId(), null);
            md.put(Metadata.Key.of("x-http-status", Metadata.ASCII_STRING_MARSHALLER), "503");
            assertThatThrownBy(() -> with(GRPCInferenceServiceGrpc.newBlockingStub(connection()), md)
                    .modelInfer(ModelInferRequest.getDefaultInstance())).isInstanceOfSatisfying(
                            StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                    management.get("/actuator/prometheus").text()).containsPattern(
                            "gateway_grpc_calls_seconds_count\\{code=\"UNAVAILABLE\",function_id=\""
                                    + d.functionId() + "\"[^}]*\\} 1"));
        }
    }

    /**
     * A gRPC function deployed on a port where an HTTP/1.1 server answers (a wrong endpoint): the call ends with
     * UNAVAILABLE saying the worker is not an HTTP/2 server, and the worker is taken out at once, as one that
     * refuses connections is, so that the calls after it are not sent there again and again.
     */
    @Test
    void aWorkerThatIsNotAnHttp2ServerIsSaidSoAndTakenOut() {
        try (HttpTestWorker notGrpc = new HttpTestWorker("http-only")) {
            Deployed d = deployUnchecked(notGrpc.address());
            assertThatThrownBy(() -> callWithTrailers(connection(), d, 0)).isInstanceOfSatisfying(
                    StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(e.getStatus().getDescription()).contains("not answer as an HTTP/2 (gRPC) server");
                    });
            assertThat(management.get("/actuator/prometheus").text()).containsPattern(
                    "gateway_worker_connect_failures_total\\{function_id=\"" + d.functionId() + "\"[^}]*\\} 1.0");
        }
    }

    private ModelInferResponse callWithTrailers(ManagedChannel channel, Deployed d, int trailerBytes) {
        Metadata md = metadata(invokeKey, d.functionId(), null);
        md.put(Metadata.Key.of("x-trailer-size", Metadata.ASCII_STRING_MARSHALLER), String.valueOf(trailerBytes));
        return with(GRPCInferenceServiceGrpc.newBlockingStub(channel), md).withDeadlineAfter(10, TimeUnit.SECONDS)
                .modelInfer(ModelInferRequest.getDefaultInstance());
    }

    private ListenableFuture<ModelInferResponse> answeredAfter(ManagedChannel channel, Deployed d, int millis) {
        Metadata md = metadata(invokeKey, d.functionId(), null);
        md.put(Metadata.Key.of("x-delay-ms", Metadata.ASCII_STRING_MARSHALLER), String.valueOf(millis));
        return GRPCInferenceServiceGrpc.newFutureStub(channel).withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(md)).modelInfer(ModelInferRequest.getDefaultInstance());
    }

    /** Reads frames until one of this type on this stream, which it returns; null if the connection closed. */
    private static Frame readUntil(RawHttp2 client, int type, int streamId) throws IOException {
        for (Frame f = client.read(); f != null; f = client.read()) {
            if (f.type() == type && f.streamId() == streamId) {
                return f;
            }
        }
        return null;
    }

    @Test
    void aRapidResetBurstEndsWithGoAwayWhileOtherClientsAreServed() throws Exception {
        Deployed d = deploy(0, worker("w"));
        Frame goAway = null;
        try (RawHttp2 client = new RawHttp2(grpcPort)) {
            // Written from another thread while this one reads: the gateway closes the connection mid-burst, and
            // its GOAWAY must be read before the close can reset the socket.
            Thread burst = new Thread(() -> {
                try {
                    for (int i = 0; i < 200; i++) {
                        int stream = 1 + 2 * i;
                        client.headers(stream, request("/inference.GRPCInferenceService/ServerLive", d), false);
                        client.rstStream(stream, 0x8);
                        client.flush();
                    }
                } catch (IOException closedByTheGateway) {
                    // expected once the limit is reached
                }
            });
            burst.start();
            for (Frame f = client.read(); f != null; f = client.read()) {
                if (f.type() == RawHttp2.GOAWAY) {
                    goAway = f;
                }
            }
            burst.join();
        }
        assertThat(goAway).as("GOAWAY").isNotNull();
        assertThat(goAway.errorCode()).as("ENHANCE_YOUR_CALM").isEqualTo(0xB);
        assertThat(infer(d)).isEqualTo("w");
    }

    /**
     * A control-frame flood (CVE-2019-9512): a client sends PINGs and never reads their answers. Netty's codec
     * closes the connection once 10,000 answers wait unsent; that is the client's doing, so it costs no stack trace
     * in the log (the codec writes one at INFO by default), and other clients are served.
     */
    @Test
    void aClientThatFloodsPingsWithoutReadingIsClosedWithoutAStackTrace(CapturedOutput output) throws Exception {
        Deployed d = deploy(0, worker("w"));
        int before = output.length();
        boolean closed = false;
        try (RawHttp2 client = new RawHttp2(grpcPort)) {
            // Enough to fill both sockets' buffers (a few MiB on loopback) and queue 10,000 answers behind them.
            for (int i = 0; i < 400 && !closed; i++) {
                try {
                    client.pings(10_000);
                    client.flush();
                } catch (IOException closedByTheGateway) {
                    closed = true;
                }
            }
        }
        assertThat(closed).as("the gateway closed the flooding connection").isTrue();
        assertThat(infer(d)).isEqualTo("w");
        assertThat(output.toString().substring(before)).doesNotContain("Exception").doesNotContain(" WARN ")
                .doesNotContain(" ERROR ");
    }

    @Test
    void aClientOverTheStreamCapIsRefusedStreamsWhileOthersAreServed() throws Exception {
        TestWorker worker = worker("w");
        Deployed d = deploy(0, worker);
        try (RawHttp2 client = new RawHttp2(grpcPort)) {
            for (int i = 0; i < 9; i++) {
                client.headers(1 + 2 * i, request("/streams.Streams/Hold", d), false);
            }
            client.flush();
            Frame refused = readUntil(client, RawHttp2.RST_STREAM, 17);
            assertThat(refused).as("RST_STREAM on the ninth stream").isNotNull();
            assertThat(refused.errorCode()).as("REFUSED_STREAM").isEqualTo(0x7);
            assertThat(infer(d)).isEqualTo("w");
        }
        worker.holdRelease.complete(null);
    }

    @Test
    void aStreamWhoseKeyIsRevokedEndsWithUnauthenticatedAndTheWorkerSeesTheCancel() throws Exception {
        TestWorker worker = worker("w");
        Deployed d = deploy(0, worker);
        Response created = admin.post("/v1/keys", "{\"name\":\"short-lived\",\"scopes\":[\"invoke_function\"]}");
        var call = with(GRPCInferenceServiceGrpc.newFutureStub(connection()),
                metadata(created.at("/value"), d.functionId(), null))
                .modelInfer(ModelInferRequest.newBuilder().setModelName("slow").build());
        await().atMost(Duration.ofSeconds(5)).until(() -> worker.calls.get() == 1);

        admin.delete("/v1/keys/" + created.at("/key/id"));
        assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .satisfies(e -> assertThat(Status.fromThrowable(e.getCause()).getCode())
                        .isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThat(worker.cancelled.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aGrpcCallToAnHttpFunctionIsToldToUseTheHttpListener() {
        Deployed d = Deployments.register(admin, "{\"name\":\"web\",\"inferenceProtocol\":\"HTTP\"}");
        assertThat(admin.post(d.path(), "{\"endpoints\":[\"127.0.0.1:9\"]}").status()).isEqualTo(200);
        deployed.add(d);
        ProxyCallTest.assertStatus(connection(), metadata(invokeKey, d.functionId(), null),
                Status.Code.FAILED_PRECONDITION, "HTTP listener");
    }

    @Test
    void aCallWhoseDeadlinePassesWhileItWaitsForASlotEndsThereAndNeverReachesTheWorker() throws Exception {
        TestWorker worker = worker("only");
        Deployed d = deploy(1, worker);
        var holder = connection();
        with(GRPCInferenceServiceGrpc.newBlockingStub(holder), metadata(invokeKey, d.functionId(), null))
                .modelInfer(ModelInferRequest.newBuilder().setModelName("m").build());

        var waiting = with(GRPCInferenceServiceGrpc.newBlockingStub(connection()),
                metadata(invokeKey, d.functionId(), null));
        assertThatThrownBy(() -> waiting.withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                .modelInfer(ModelInferRequest.newBuilder().setModelName("m").build()))
                .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

        holder.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        assertThat(waiting.withDeadlineAfter(10, TimeUnit.SECONDS)
                .modelInfer(ModelInferRequest.newBuilder().setModelName("m").build()).getModelName()).isEqualTo("only");
        assertThat(worker.calls.get()).as("the expired call was never forwarded").isEqualTo(2);
    }

    private Map<String, String> request(String path, Deployed d) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(":method", "POST");
        headers.put(":scheme", "http");
        headers.put(":path", path);
        headers.put(":authority", "gateway");
        headers.put("content-type", "application/grpc");
        headers.put("te", "trailers");
        headers.put("authorization", "Bearer " + invokeKey);
        headers.put("function-id", d.functionId());
        return headers;
    }

    private static byte[] randomBytes(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }
}

package dev.functiongateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.functiongateway.support.AdminClient;
import dev.functiongateway.support.Deployments;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.internal.PlatformDependent;

/**
 * Sessions on the HTTP route, over real HTTP and WebSockets to two real HTTP workers: on-demand binding by
 * WebSocket, resume by NVCF-REQID, the subprotocol form, header routing, refusals of ids, and the gRPC hint.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gateway.proxy.port=0",
        "spring.datasource.url=jdbc:h2:file:./target/test-data/http-sessions-${random.uuid}",
        "gateway.auth.bootstrap-admin-key=" + HttpSessionsTest.ADMIN_KEY,
        "gateway.routing.health-interval=200ms",
        "gateway.proxy.drain-time=2s" })
class HttpSessionsTest {

    static final String ADMIN_KEY = "http-sessions-admin-key-0123456789";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    /** Actuator's own listener (management port). */
    @Value("${local.management.port}")
    int managementPort;

    AdminClient admin;
    FunctionWorker w1;
    FunctionWorker w2;
    String functionId;
    String deployment;
    String key;

    @BeforeEach
    void deploy() {
        admin = new AdminClient(port, ADMIN_KEY);
        w1 = new FunctionWorker("w1");
        w2 = new FunctionWorker("w2");
        Deployments.Deployed deployed = Deployments.deploy(admin, Deployments.httpFunction("sessions-fn"), 8,
                w1.address(), w2.address());
        functionId = deployed.functionId();
        deployment = deployed.path();
        key = admin.post("/v1/keys", "{\"name\":\"sessions\",\"scopes\":[\"invoke_function\"]}").at("/value");
    }

    @AfterEach
    void undeploy() {
        admin.delete(deployment);
        w1.close();
        w2.close();
    }

    @Test
    void aWebSocketBindsASessionThatLaterRequestsReachByItsId() throws Exception {
        Echo echo = new Echo();
        WebSocket socket = webSocket(echo);
        HttpHeaders upgrade = pollUpstream(h -> h.contains("upgrade"));
        String requestId = upgrade.get("nvcf-reqid");
        assertThat(requestId).isNotBlank();
        String boundWorker = lastPolled.getKey() == w1 ? "w1" : "w2";
        socket.sendText("ping", true);
        assertThat(echo.received.get(10, TimeUnit.SECONDS)).isEqualTo("ping");

        for (int i = 0; i < 6; i++) {
            HttpResponse<String> response = HTTP.send(invoke("call " + i).header("NVCF-REQID", requestId).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.headers().firstValue("x-worker")).hasValue(boundWorker);
            assertThat(response.headers().firstValue("nvcf-reqid")).hasValue(requestId);
        }
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);

        // Within the reconnect window the binding outlives the WebSocket.
        HttpResponse<String> after = HTTP.send(invoke("after").header("NVCF-REQID", requestId).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.headers().firstValue("x-worker")).hasValue(boundWorker);
    }

    @Test
    void theUpgradeAnswerCarriesTheId() throws Exception {
        try (Socket raw = new Socket("127.0.0.1", port)) {
            String first = exchange(raw, "POST /v2/nvcf/pexec/functions/" + functionId + " HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: Bearer " + key + "\r\nContent-Length: 2\r\n\r\nhi");
            assertThat(first).startsWith("HTTP/1.1 200");
            String upgrade = exchange(raw, "GET /v2/nvcf/pexec/functions/" + functionId + " HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: Bearer " + key + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            assertThat(upgrade).startsWith("HTTP/1.1 101");
            assertThat(header(upgrade, "nvcf-reqid")).as("one client connection, a request then a WebSocket:"
                    + " two sessions").isNotBlank().isNotEqualTo(header(first, "nvcf-reqid"));
        }
    }

    @Test
    void aWebSocketWhoseKeyIsRevokedIsClosedAndSoIsTheWorkers() throws Exception {
        var created = admin.post("/v1/keys", "{\"name\":\"short-lived\",\"scopes\":[\"invoke_function\"]}");
        Echo echo = new Echo();
        WebSocket socket = HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + created.at("/value"))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/v2/nvcf/pexec/functions/" + functionId), echo)
                .get(10, TimeUnit.SECONDS);
        socket.sendText("before", true);
        assertThat(echo.received.get(10, TimeUnit.SECONDS)).isEqualTo("before");
        assertThat(w1.openWebSockets.get() + w2.openWebSockets.get()).as("the worker's side").isEqualTo(1);

        assertThat(admin.delete("/v1/keys/" + created.at("/key/id")).status()).isLessThan(300);
        assertThat(echo.closed.get(15, TimeUnit.SECONDS)).as("the client's side closed").isNotNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> w1.openWebSockets.get() + w2.openWebSockets.get() == 0);
    }

    @Test
    void twoWebSocketsOfOneClientGetTwoIds() throws Exception {
        WebSocket a = webSocket(new Echo());
        WebSocket b = webSocket(new Echo());
        String first = pollUpstream(h -> h.contains("upgrade")).get("nvcf-reqid");
        String second = pollUpstream(h -> h.contains("upgrade")).get("nvcf-reqid");
        assertThat(first).isNotEqualTo(second);
        a.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
        b.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
    }

    @Test
    void aBrowserSendsKeyFunctionAndIdAsSubprotocols() throws Exception {
        Echo echo = new Echo();
        WebSocket socket = HTTP.newWebSocketBuilder()
                .subprotocols("authorization." + key, "function-id." + functionId)
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/infer"), echo)
                .get(10, TimeUnit.SECONDS);
        assertThat(socket.getSubprotocol()).isEqualTo("function-id." + functionId);
        HttpHeaders upgrade = pollUpstream(h -> h.contains("upgrade"));
        assertThat(upgrade.get("sec-websocket-protocol")).as("the gateway's items are never forwarded").isNull();
        assertThat(upgrade.get("authorization")).isNull();
        String requestId = upgrade.get("nvcf-reqid");
        socket.sendText("from a browser", true);
        assertThat(echo.received.get(10, TimeUnit.SECONDS)).isEqualTo("from a browser");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);

        Echo again = new Echo();
        WebSocket resumed = HTTP.newWebSocketBuilder()
                .subprotocols("authorization." + key, "nvcf-reqid." + requestId, "function-id." + functionId)
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/infer"), again)
                .get(10, TimeUnit.SECONDS);
        assertThat(pollUpstream(h -> h.contains("upgrade")).get("nvcf-reqid")).isEqualTo(requestId);
        resumed.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
    }

    @Test
    void idsThatNameNoSessionOfThisKeyAre404AtOnce() throws Exception {
        HttpResponse<String> opened = HTTP.send(invoke("x").build(), HttpResponse.BodyHandlers.ofString());
        String plainId = opened.headers().firstValue("nvcf-reqid").orElseThrow();
        WebSocket socket = webSocket(new Echo());
        String bound = pollUpstream(h -> h.contains("upgrade")).get("nvcf-reqid");
        String other = admin.post("/v1/keys", "{\"name\":\"other\",\"scopes\":[\"invoke_function\"]}").at("/value");
        String tampered = bound.substring(0, 30) + (bound.charAt(30) == '0' ? '1' : '0') + bound.substring(31);

        for (String id : List.of(UUID.randomUUID().toString(), "not an id", plainId, tampered)) {
            assertProblem(HTTP.send(invoke("x").header("NVCF-REQID", id).build(),
                    HttpResponse.BodyHandlers.ofString()), 404, "without nvcf-reqid");
        }
        assertProblem(HTTP.send(invoke("x").setHeader("Authorization", "Bearer " + other).header("NVCF-REQID", bound)
                .build(), HttpResponse.BodyHandlers.ofString()), 404, "without nvcf-reqid");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);

        admin.delete(deployment);
        assertProblem(HTTP.send(invoke("x").header("NVCF-REQID", bound).build(),
                HttpResponse.BodyHandlers.ofString()), 503, "no ACTIVE version");
        assertThat(new AdminClient(managementPort, null).get("/actuator/prometheus").text())
                .containsPattern("gateway_session_ids_refused_total\\{reason=\"unknown\"\\} [1-9]")
                // One key in 16384 shares the other's digest in the id; its refusal then counts as unknown.
                .containsPattern("gateway_session_ids_refused_total\\{reason=\"(foreign_key|unknown)\"\\} [1-9]");
    }

    @Test
    void anIdWhoseWorkerWasUndeployedIs404() throws Exception {
        WebSocket socket = webSocket(new Echo());
        String requestId = pollUpstream(h -> h.contains("upgrade")).get("nvcf-reqid");
        FunctionWorker kept = lastPolled.getKey() == w1 ? w2 : w1;
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);

        admin.post(deployment, "{\"endpoints\":[\"" + kept.address() + "\"],\"maxRequestConcurrency\":8}");
        await().atMost(Duration.ofSeconds(10)).until(() -> "ACTIVE".equals(admin.get(deployment)
                .at("/deployment/status")));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertProblem(HTTP.send(invoke("x")
                .header("NVCF-REQID", requestId).build(), HttpResponse.BodyHandlers.ofString()), 404,
                "without nvcf-reqid"));
        assertThat(HTTP.send(invoke("new session").build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);
        assertThat(new AdminClient(managementPort, null).get("/actuator/prometheus").text())
                .containsPattern("gateway_session_ids_refused_total\\{reason=\"worker_gone\"\\} [1-9]");
    }

    @Test
    void requestsHavePerFunctionMetricsAndAnAccessLogLine(CapturedOutput output) throws Exception {
        HttpResponse<String> response = HTTP.send(invoke("logged").header("traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").build(), HttpResponse.BodyHandlers.ofString());
        String requestId = response.headers().firstValue("nvcf-reqid").orElseThrow();
        assertThat(HTTP.send(invoke("x").header("NVCF-REQID", "unknown").build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(output.getOut()).containsPattern(
                "http nvcf-reqid=" + requestId + " client=/127.0.0.1:\\d+ function=" + functionId
                        + " version=[0-9a-f-]{36} method=POST /v2/nvcf/pexec/functions/" + functionId
                        + " status=200 duration_ms=\\d+ request_bytes=6 response_bytes=\\d+ key_id=[0-9a-f-]{36}"
                        + " trace_id=4bf92f3577b34da6a3ce929d0e0e4736"));
        assertThat(output.getOut()).doesNotContain(key);
        String metrics = new AdminClient(managementPort, null).get("/actuator/prometheus").text();
        assertThat(metrics)
                .containsPattern("gateway_http_requests_seconds_count\\{function_id=\"" + functionId
                        + "\",function_version_id=\"[0-9a-f-]{36}\",method=\"POST\",status=\"200\"\\} [1-9]")
                .containsPattern("gateway_http_requests_seconds_count\\{function_id=\"" + functionId
                        + "\",function_version_id=\"none\",method=\"POST\",status=\"404\"\\} [1-9]")
                .containsPattern("gateway_sessions_open\\{listener=\"http\"\\} \\d")
                .containsPattern("gateway_sessions_open\\{listener=\"grpc\"\\} \\d");
    }

    @Test
    void headerRoutingKeepsPathAndQuery() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/count?model=a%20b&x=1"))
                .header("Authorization", "Bearer " + key).header("Function-ID", functionId)
                .POST(HttpRequest.BodyPublishers.ofString("12345")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("5");
        assertThat(response.headers().firstValue("x-uri")).hasValue("/count?model=a%20b&x=1");
        HttpHeaders upstream = pollUpstream(h -> true);
        assertThat(upstream.get("authorization")).isNull();
        assertThat(upstream.get("function-id")).isEqualTo(functionId);
    }

    @Test
    void a512MiBUploadStreamsThroughWithBoundedMemory() throws Exception {
        long size = 512L << 20;
        long half = size / 2;
        AtomicLong peakDirect = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peakDirect.accumulateAndGet(PlatformDependent.usedDirectMemory(), Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        InputStream zeros = new InputStream() {
            long sent;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (sent == size) {
                    return -1;
                }
                if (sent == half) {
                    // Half sent: a gateway that held the body whole would have passed nothing on yet.
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (w1.counted.get() + w2.counted.get() == 0 && System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    if (w1.counted.get() + w2.counted.get() == 0) {
                        throw new IOException("nothing reached the worker after " + half + " bytes");
                    }
                }
                int n = (int) Math.min(length, (sent < half ? half : size) - sent);
                java.util.Arrays.fill(buffer, offset, offset + n, (byte) 0);
                sent += n;
                return n;
            }
        };
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/count"))
                        .header("Authorization", "Bearer " + key).header("Function-ID", functionId)
                        .POST(HttpRequest.BodyPublishers.fromPublisher(
                                HttpRequest.BodyPublishers.ofInputStream(() -> zeros), size))
                        .build(), HttpResponse.BodyHandlers.ofString());
        sampler.interrupt();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(Long.toString(size));
        assertThat(peakDirect.get()).as("peak Netty direct memory, client, gateway and worker together")
                .isPositive().isLessThan(64L << 20);
    }

    /** ... and the stream's access line is written when it has ended, with its time and bytes to the end. */
    @Test
    void serverSentEventsArriveOneByOne(CapturedOutput output) throws Exception {
        CompletableFuture<HttpResponse<Stream<String>>> pending = HTTP.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/events"))
                .header("Authorization", "Bearer " + key).header("Function-ID", functionId).GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        FunctionWorker streaming = pollUpstream(h -> true) == null || lastPolled.getKey() == w1 ? w1 : w2;
        // The worker sends its response head with the first event.
        streaming.emit("zero");
        HttpResponse<Stream<String>> response = pending.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        Iterator<String> lines = response.body().filter(line -> !line.isEmpty()).iterator();
        assertThat(lines.next()).isEqualTo("data: zero");
        for (String event : List.of("one", "two", "three")) {
            streaming.emit(event);
            // The next event is emitted only after this one arrived: nothing is held back until the end.
            assertThat(lines.next()).isEqualTo("data: " + event);
        }
        assertThat(output.getAll()).as("no access line while the stream runs").doesNotContain("method=GET /events");
        streaming.endEvents();
        lines.forEachRemaining(line -> { });
        // "data: zero\n\n" and the three others: 12 + 11 + 11 + 13 bytes.
        await().atMost(Duration.ofSeconds(10)).until(() -> output.getAll().contains("method=GET /events status=200"));
        assertThat(output.getAll()).containsPattern("method=GET /events status=200 duration_ms=\\d+ request_bytes=0"
                + " response_bytes=47 ");
    }

    /** The stream's key is revoked mid-stream: the client's stream ends cut short, and the worker's is cancelled. */
    @Test
    void anEventStreamWhoseKeyIsRevokedIsCutOff() throws Exception {
        var created = admin.post("/v1/keys", "{\"name\":\"streaming\",\"scopes\":[\"invoke_function\"]}");
        CompletableFuture<HttpResponse<Stream<String>>> pending = HTTP.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/events"))
                .header("Authorization", "Bearer " + created.at("/value")).header("Function-ID", functionId).GET()
                .build(), HttpResponse.BodyHandlers.ofLines());
        FunctionWorker streaming = pollUpstream(h -> true) == null || lastPolled.getKey() == w1 ? w1 : w2;
        streaming.emit("zero");
        Iterator<String> lines = pending.get(10, TimeUnit.SECONDS).body().filter(line -> !line.isEmpty()).iterator();
        assertThat(lines.next()).isEqualTo("data: zero");

        assertThat(admin.delete("/v1/keys/" + created.at("/key/id")).status()).isLessThan(300);
        // Read to the end: a stream ended properly would just stop; one cut off fails. Bounded, should it do neither.
        CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> lines.forEachRemaining(line -> { }));
        assertThat(drained).failsWithin(Duration.ofSeconds(15)).withThrowableOfType(
                java.util.concurrent.ExecutionException.class).withCauseInstanceOf(java.io.UncheckedIOException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> !streaming.eventsRead());
    }

    @Test
    void aGrpcFunctionCalledOverHttpIsToldToUseTheGrpcListener() throws Exception {
        assertProblem(callOnPortOne("GRPC"), 400, "gRPC listener");
    }

    @Test
    void anUnreachableWorkerIs503() throws Exception {
        HttpResponse<String> response = callOnPortOne("HTTP");
        assertProblem(response, 503, "unreachable");
        // Internal addresses stay internal: the client learns that the worker is unreachable, not where it is
        // (the worker listens on 127.0.0.1:1; the problem's "instance" is the gateway's own URL).
        assertThat(response.body()).doesNotContain("127.0.0.1:1\"", "127.0.0.1:1 ");
    }

    /** Calls a function of this protocol deployed on 127.0.0.1:1, where nothing listens. */
    private HttpResponse<String> callOnPortOne(String protocol) throws Exception {
        Deployments.Deployed deployed = Deployments.deploy(admin,
                Deployments.uncheckedFunction("port-one-" + protocol, protocol), 0, "127.0.0.1:1");
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/nvcf/pexec/functions/"
                            + deployed.functionId())).header("Authorization", "Bearer " + key)
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        } finally {
            admin.delete(deployed.path());
        }
    }

    /** A WebSocket to the function's pexec path with the key in the Authorization header. */
    private WebSocket webSocket(WebSocket.Listener listener) throws Exception {
        return HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + key)
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/v2/nvcf/pexec/functions/" + functionId), listener)
                .get(10, TimeUnit.SECONDS);
    }

    /** The next recorded upstream request matching {@code which}, from either worker. */
    private HttpHeaders pollUpstream(Predicate<HttpHeaders> which) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            for (FunctionWorker worker : List.of(w1, w2)) {
                HttpHeaders next = worker.received.peek();
                if (next != null && which.test(next)) {
                    lastPolled = Map.entry(worker, next);
                    return worker.received.poll();
                }
                if (next != null) {
                    worker.received.poll();
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no upstream request arrived");
    }

    private Map.Entry<FunctionWorker, HttpHeaders> lastPolled;

    private HttpRequest.Builder invoke(String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/nvcf/pexec/functions/" + functionId))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    /** Writes a request on the socket and reads one response head (and a short body, if any). */
    private static String exchange(Socket socket, String request) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        String length = header(head.toString(), "content-length");
        if (length != null) {
            in.readNBytes(Integer.parseInt(length.trim()));
        } else if ("chunked".equalsIgnoreCase(header(head.toString(), "transfer-encoding"))) {
            StringBuilder body = new StringBuilder();
            while (!body.toString().endsWith("0\r\n\r\n")) {
                body.append((char) in.read());
            }
        }
        return head.toString();
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static void assertProblem(HttpResponse<String> response, int status, String detailPart) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.body()).contains(detailPart);
    }

    private static final class Echo implements WebSocket.Listener {
        final CompletableFuture<String> received = new CompletableFuture<>();
        /** The gateway's close: "code reason". */
        final CompletableFuture<String> closed = new CompletableFuture<>();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            received.complete(data.toString());
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode + " " + reason);
            return null;
        }
    }
}

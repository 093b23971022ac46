package dev.functiongateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

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
import dev.functiongateway.support.HttpTestWorker;
import io.netty.handler.codec.http.HttpHeaders;

/** The HTTP route over real HTTP and WebSocket, to a real HTTP worker checked by HTTP health. */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gateway.proxy.port=0",
        "spring.datasource.url=jdbc:h2:file:./target/test-data/http-${random.uuid}",
        "gateway.auth.bootstrap-admin-key=" + HttpInvocationTest.ADMIN_KEY,
        "gateway.routing.health-interval=200ms",
        "gateway.proxy.drain-time=2s" })
class HttpInvocationTest {

    static final String ADMIN_KEY = "http-admin-key-0123456789";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Value("${local.management.port}")
    int managementPort;

    AdminClient admin;
    HttpTestWorker worker;
    String functionId;
    String versionId;
    String key;

    @BeforeEach
    void deploy() {
        admin = new AdminClient(port, ADMIN_KEY);
        worker = new HttpTestWorker("h1");
        var created = admin.post("/v2/nvcf/functions", "{\"name\":\"http-fn\",\"inferenceProtocol\":\"HTTP\","
                + "\"inferenceUrl\":\"/infer\",\"health\":{\"protocol\":\"HTTP\",\"uri\":\"/health\"}}");
        functionId = created.at("/function/id");
        versionId = created.at("/function/versionId");
        admin.post(deployment(), "{\"endpoints\":[\"" + worker.address() + "\"]}");
        await().atMost(Duration.ofSeconds(10)).until(() -> "ACTIVE".equals(admin.get(deployment())
                .at("/deployment/status")));
        key = admin.post("/v1/keys", "{\"name\":\"http\",\"scopes\":[\"invoke_function\"]}").at("/value");
    }

    @AfterEach
    void undeploy() {
        admin.delete(deployment());
        worker.close();
    }

    @Test
    void aRequestReachesTheWorkerWithTheIdsAndWithoutTheKey() throws Exception {
        HttpResponse<String> response = post("/v2/nvcf/pexec/functions/" + functionId, key, "{\"input\":[1,2]}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"input\":[1,2]}");
        assertThat(response.headers().firstValue("x-worker")).hasValue("h1");
        String requestId = response.headers().firstValue("nvcf-reqid").orElseThrow();

        HttpHeaders upstream = worker.received.poll(5, TimeUnit.SECONDS);
        assertThat(upstream.get("authorization")).isNull();
        assertThat(upstream.get("nvcf-reqid")).isEqualTo(requestId);
        assertThat(upstream.get("function-id")).isEqualTo(functionId);
        assertThat(upstream.get("function-version-id")).isEqualTo(versionId);

        assertThat(post("/v2/nvcf/pexec/functions/" + functionId + "/versions/" + versionId, key, "x")
                .statusCode()).isEqualTo(200);
    }

    @Test
    void refusalsAreProblemDetails() throws Exception {
        String path = "/v2/nvcf/pexec/functions/" + functionId;
        assertProblem(post(path, null, "x"), 401, "no API key");
        assertProblem(post(path, "never-issued-key-000000", "x"), 401, "not known");
        String lister = admin.post("/v1/keys", "{\"name\":\"l\",\"scopes\":[\"list_functions\"]}").at("/value");
        assertProblem(post(path, lister, "x"), 403, "invoke_function");
        assertProblem(post("/v2/nvcf/pexec/functions/" + UUID.randomUUID(), key, "x"), 404, "does not exist");
        assertProblem(post("/v2/nvcf/pexec/functions/not-a-uuid", key, "x"), 400, "UUID");
        admin.delete(deployment());
        assertProblem(post(path, key, "x"), 503, "no ACTIVE version");
    }

    @Test
    void aWebSocketIsPassedThroughWithTheSameKey() throws Exception {
        CompletableFuture<String> echoed = new CompletableFuture<>();
        WebSocket socket = HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + key)
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/v2/nvcf/pexec/functions/" + functionId),
                        new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                                echoed.complete(data.toString());
                                return null;
                            }
                        })
                .get(10, TimeUnit.SECONDS);
        socket.sendText("hello over websocket", true);
        assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("hello over websocket");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);

        CompletableFuture<Throwable> refused = new CompletableFuture<>();
        HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/v2/nvcf/pexec/functions/"
                + functionId), new WebSocket.Listener() {
                }).whenComplete((ws, error) -> refused.complete(error));
        assertThat(refused.get(10, TimeUnit.SECONDS)).as("no key, no upgrade").isNotNull();
    }

    @Test
    void springCloudGatewaysOwnMetricsCountTheRoute() throws Exception {
        post("/v2/nvcf/pexec/functions/" + functionId, key, "x");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(new AdminClient(managementPort, null)
                .get("/actuator/prometheus").text()).containsPattern(
                        "spring_cloud_gateway_requests_seconds_count\\{.*routeId=\"function-invocation\".*"
                                + "status=\"OK\".*\\} [1-9]"));
    }

    private String deployment() {
        return "/v2/nvcf/deployments/functions/" + functionId + "/versions/" + versionId;
    }

    /**
     * Requests that Netty's HTTP codec refuses before any filter runs (a 100 KB header, a control character in a
     * header value) get 431 and 400, and no log line: anyone, without a key, could send them by the thousand.
     */
    @Test
    void requestsTheCodecRefusesGetTheirStatusWithoutALogLine(CapturedOutput output) throws Exception {
        int logged = output.getAll().length();
        assertThat(rawStatus("X-Big: " + "a".repeat(100_000))).isEqualTo(431);
        assertThat(rawStatus("Authorization: Bearer \u0001evil")).isEqualTo(400);
        assertThat(output.getAll().substring(logged)).doesNotContain("Decoding failed").doesNotContain(" WARN ");
    }

    /** The status of a POST to a pexec path with this one extra header line, written as is. */
    private int rawStatus(String headerLine) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.getOutputStream().write(("POST /v2/nvcf/pexec/functions/" + UUID.randomUUID() + " HTTP/1.1\r\n"
                    + "Host: gateway\r\n" + headerLine + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.ISO_8859_1)).readLine();
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    private HttpResponse<String> post(String path, String apiKey, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertProblem(HttpResponse<String> response, int status, String detailPart) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.body()).contains(detailPart);
    }
}

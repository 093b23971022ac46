package dev.functiongateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
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
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.functiongateway.auth.ApiKey;
import dev.functiongateway.auth.ApiKeyService;
import dev.functiongateway.routing.Session;
import dev.functiongateway.routing.SessionRouter;
import dev.functiongateway.support.AdminClient;


/**
 * Slots and bindings end with their owners: a client that leaves while queued leaks nothing, and a session's
 * binding ends one reconnect window (here 1 s) after its last attachment.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gateway.proxy.port=0",
        "spring.datasource.url=jdbc:h2:file:./target/test-data/http-lease-${random.uuid}",
        "gateway.auth.bootstrap-admin-key=" + HttpLeaseTest.ADMIN_KEY,
        "gateway.routing.health-interval=200ms", "gateway.routing.queue-max-wait=60s",
        "gateway.sessions.reconnect-window=1s",
        "gateway.proxy.drain-time=2s" })
class HttpLeaseTest extends OneWorkerFunction {

    static final String ADMIN_KEY = "http-lease-admin-key-0123456789";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Autowired
    SessionRouter router;
    @Autowired
    ApiKeyService keys;

    @Override
    String adminKey() {
        return ADMIN_KEY;
    }

    @Override
    int maxRequestConcurrency() {
        return 1;
    }

    @Test
    void aClientThatLeavesWhileQueuedDoesNotKeepTheSlot() throws Exception {
        CompletableFuture<HttpResponse<String>> running = HTTP.sendAsync(invoke("running").header("x-hold", "1")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(worker.received.poll(10, TimeUnit.SECONDS)).as("the running request reached the worker")
                .isNotNull();

        try (Socket leaving = new Socket("127.0.0.1", port)) {
            OutputStream out = leaving.getOutputStream();
            out.write(("POST /v2/nvcf/pexec/functions/" + functionId + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + key + "\r\nContent-Length: 1\r\n\r\nx")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> queueDepth() == 1);
        }
        await("the waiter left the queue with its client").atMost(Duration.ofSeconds(10))
                .until(() -> queueDepth() == 0);
        assertThat(new AdminClient(managementPort, null).get("/actuator/prometheus").text())
                .containsPattern("gateway_queue_wait_seconds_count\\{function_id=\"" + functionId
                        + "\",function_version_id=\"any\",outcome=\"left\"\\} 1");

        worker.open();
        assertThat(running.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        HttpResponse<String> next = HTTP.send(invoke("next").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
        assertThat(next.body()).isEqualTo("next");
    }

    /**
     * The race a client that leaves can lose: its session is granted in the very instant its wait is cancelled
     * (simulated by a wait whose cancel arrives just after the grant). The session still frees its slot.
     */
    @Test
    void aSessionGrantedAsItsClientLeavesIsReleased() throws Exception {
        ApiKey apiKey = keys.authenticate(key).key();
        CompletableFuture<Session> grantedAtCancel = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterrupt) {
                router.openForRequest(UUID.fromString(functionId), null, apiKey, "http", UUID.randomUUID().toString())
                        .thenAccept(this::complete);
                return false;
            }
        };
        FunctionInvocationFilter.attachment(() -> grantedAtCancel).subscribe().dispose();
        assertThat(grantedAtCancel).as("granted, the slot was free").isCompleted();

        HttpResponse<String> next = HTTP.send(invoke("next").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
        assertThat(next.body()).isEqualTo("next");
    }

    /** The slot is the request's until its answer has ended, not until the answer's head arrived. */
    @Test
    void aStreamingAnswerHoldsItsSlotUntilItEnds() throws Exception {
        CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> streaming = HTTP.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"))
                        .header("Authorization", "Bearer " + key).header("Function-ID", functionId).GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        worker.emit("zero");
        java.util.Iterator<String> lines = streaming.get(10, TimeUnit.SECONDS).body()
                .filter(line -> !line.isEmpty()).iterator();
        assertThat(lines.next()).isEqualTo("data: zero");

        CompletableFuture<HttpResponse<String>> next = HTTP.sendAsync(invoke("next").build(),
                HttpResponse.BodyHandlers.ofString());
        await("the next request waits for the slot").atMost(Duration.ofSeconds(10)).until(() -> queueDepth() == 1);
        assertThat(next.isDone()).isFalse();

        worker.endEvents();
        lines.forEachRemaining(line -> { });
        assertThat(next.get(20, TimeUnit.SECONDS).body()).isEqualTo("next");
    }

    @Test
    void aSessionsIdExpiresAfterTheReconnectWindow() throws Exception {
        WebSocket socket = HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + key)
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/v2/nvcf/pexec/functions/" + functionId),
                        new WebSocket.Listener() {
                        })
                .get(10, TimeUnit.SECONDS);
        String requestId = worker.received.poll(10, TimeUnit.SECONDS).get("nvcf-reqid");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
        // Watched from the side: every request with the id would attach to the session and restart its window.
        await().atMost(Duration.ofSeconds(10)).until(() -> new AdminClient(managementPort, null).get("/actuator/prometheus").text()
                .contains("gateway_sessions_open{listener=\"http\"} 0.0"));
        HttpResponse<String> refused = HTTP.send(invoke("late").header("NVCF-REQID", requestId).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(404);
        assertThat(refused.body()).contains("start a new session by calling without nvcf-reqid");
        assertThat(new AdminClient(managementPort, null).get("/actuator/prometheus").text())
                .containsPattern("gateway_session_ids_refused_total\\{reason=\"expired\"\\} [1-9]");
    }

    private int queueDepth() {
        return Integer.parseInt(admin.get("/v2/nvcf/queues/functions/" + functionId).at("/anyVersionQueueDepth"));
    }

    private HttpRequest.Builder invoke(String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/nvcf/pexec/functions/" + functionId))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }
}

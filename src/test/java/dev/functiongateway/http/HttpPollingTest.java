package dev.functiongateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import dev.functiongateway.support.AdminClient;


/** Long-running pexec calls: 202 with NVCF-REQID after NVCF-POLL-SECONDS, then the result by polling. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gateway.proxy.port=0",
        "spring.datasource.url=jdbc:h2:file:./target/test-data/http-polling-${random.uuid}",
        "gateway.auth.bootstrap-admin-key=" + HttpPollingTest.ADMIN_KEY,
        "gateway.routing.health-interval=200ms", "gateway.http.result-max-size=1KB",
        "gateway.proxy.drain-time=2s" })
class HttpPollingTest extends OneWorkerFunction {

    static final String ADMIN_KEY = "http-polling-admin-key-0123456789";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @Override
    String adminKey() {
        return ADMIN_KEY;
    }

    @Test
    void aSlowCallIsAnswered202AndItsResultPolled() throws Exception {
        HttpResponse<String> accepted = send(pexec(port, functionId, key, "slow result").header("x-hold", "1")
                .header("NVCF-POLL-SECONDS", "1"));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.headers().firstValue("nvcf-status")).hasValue("in-progress");
        String requestId = accepted.headers().firstValue("nvcf-reqid").orElseThrow();

        HttpResponse<String> running = send(status(port, requestId, key));
        assertThat(running.statusCode()).isEqualTo(202);
        assertThat(running.headers().firstValue("nvcf-status")).hasValue("in-progress");
        String other = admin.post("/v1/keys", "{\"name\":\"other\",\"scopes\":[\"invoke_function\"]}").at("/value");
        assertThat(send(status(port, requestId, other)).statusCode()).as("another key's call").isEqualTo(404);
        assertThat(send(status(port, "no-such-call", key)).statusCode()).isEqualTo(404);

        worker.open();
        awaitResult(port, requestId, key, "slow result");
        assertThat(new AdminClient(managementPort, null).get("/actuator/prometheus").text())
                .containsPattern("gateway_http_polls_total\\{outcome=\"done\"\\} [1-9]")
                .containsPattern("gateway_http_polls_total\\{outcome=\"in_progress\"\\} [1-9]");
    }

    @Test
    void aFastCallIsAnsweredDirectly() throws Exception {
        HttpResponse<String> response = send(pexec(port, functionId, key, "fast").header("NVCF-POLL-SECONDS", "5"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("fast");
    }

    @Test
    void aPollWaitOutOfBoundsIs400() throws Exception {
        for (String wait : new String[] { "0", "3601", "soon" }) {
            HttpResponse<String> response = send(pexec(port, functionId, key, "x").header("NVCF-POLL-SECONDS", wait));
            assertThat(response.statusCode()).as(wait).isEqualTo(400);
            assertThat(response.body()).contains("NVCF-POLL-SECONDS");
        }
    }

    @Test
    void aResultLargerThanTheBoundIsAnErrorThatSaysSo() throws Exception {
        HttpResponse<String> accepted = send(pexec(port, functionId, key, "y".repeat(2000)).header("x-hold", "1")
                .header("NVCF-POLL-SECONDS", "1"));
        assertThat(accepted.statusCode()).isEqualTo(202);
        worker.open();
        String requestId = accepted.headers().firstValue("nvcf-reqid").orElseThrow();
        await().atMost(Duration.ofSeconds(10)).until(() -> send(status(port, requestId, key)).statusCode() != 202);
        HttpResponse<String> result = send(status(port, requestId, key));
        assertThat(result.statusCode()).isEqualTo(502);
        assertThat(result.body()).contains("larger than gateway.http.result-max-size");
    }

    static HttpRequest.Builder pexec(int port, String functionId, String key, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/nvcf/pexec/functions/" + functionId))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    static HttpRequest.Builder status(int port, String requestId, String key) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/nvcf/pexec/status/" + requestId))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + key).GET();
    }

    static void awaitResult(int port, String requestId, String key, String body) throws Exception {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> send(status(port, requestId, key)).statusCode() == 200);
        HttpResponse<String> done = send(status(port, requestId, key));
        assertThat(done.body()).isEqualTo(body);
        assertThat(done.headers().firstValue("nvcf-reqid")).hasValue(requestId);
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).get(30, TimeUnit.SECONDS);
    }
}

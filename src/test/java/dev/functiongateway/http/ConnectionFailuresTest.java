package dev.functiongateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.functiongateway.support.AdminClient;
import dev.functiongateway.support.Deployments;

/**
 * Connections that fail midway on the HTTP route. An HTTP worker that breaks HTTP: it closes or resets the
 * connection instead of answering, answers bytes that are not HTTP, or cuts its body short. The client gets 502
 * with a problem that says the worker failed (not 500, not 400, nothing of the worker's bytes, headers or address),
 * a body cut short stays visibly cut short, and a 202-and-poll call ends with 502. A client that goes away
 * mid-upload ends its call. The log has no stack trace: none of these is the gateway's fault.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gateway.proxy.port=0",
        "spring.datasource.url=jdbc:h2:file:./target/test-data/connection-failures-${random.uuid}",
        "gateway.auth.bootstrap-admin-key=" + ConnectionFailuresTest.ADMIN_KEY })
class ConnectionFailuresTest {

    static final String ADMIN_KEY = "connection-failures-admin-key-0123456789";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @LocalServerPort
    int port;

    AdminClient admin;
    BrokenWorker worker;
    Deployments.Deployed deployed;
    String key;

    @BeforeEach
    void deploy() throws IOException {
        admin = new AdminClient(port, ADMIN_KEY);
        worker = new BrokenWorker();
        deployed = Deployments.deploy(admin, Deployments.uncheckedFunction("broken-http", "HTTP"), 0,
                worker.address());
        key = admin.post("/v1/keys", "{\"name\":\"broken\",\"scopes\":[\"invoke_function\"]}").at("/value");
    }

    @AfterEach
    void undeploy() throws IOException {
        admin.delete(deployed.path());
        worker.close();
    }

    @Test
    void aWorkerThatClosesWithoutAnAnswerIs502(CapturedOutput output) throws Exception {
        assertBadGateway(Behaviour.CLOSE, output);
    }

    @Test
    void aWorkerThatResetsTheConnectionIs502(CapturedOutput output) throws Exception {
        assertBadGateway(Behaviour.RESET, output);
    }

    /**
     * An operator's mistake as much as the worker's (a gRPC port registered as HTTP): one WARN line says so, and
     * only one for the requests of the next minute.
     */
    @Test
    void aWorkerThatAnswersSomethingElseThanHttpIs502(CapturedOutput output) throws Exception {
        worker.behaviour = Behaviour.NOT_HTTP;
        int logged = output.getAll().length();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = call();
            assertThat(response.statusCode()).as(response.body()).isEqualTo(502);
            assertThat(response.body()).contains("the function's worker failed to answer").doesNotContain("HELLO");
        }
        String log = output.getAll().substring(logged);
        assertThat(log).doesNotContain("\tat ").contains(" WARN ").contains("invalid version format");
        assertThat(log.lines().filter(line -> line.contains(" WARN "))).hasSize(1);
        assertThat(log).as("the worker's bytes, escaped").doesNotContain("\0");
    }

    @Test
    void aWorkerThatClosesAfterItsHeadersIs502WithoutThem(CapturedOutput output) throws Exception {
        HttpResponse<String> response = assertBadGateway(Behaviour.HEAD_THEN_CLOSE, output);
        assertThat(response.headers().firstValue("x-from-worker")).isEmpty();
    }

    /** A call answered 202 whose worker then cuts its body short: the poll ends with 502, not with 202 forever. */
    @Test
    void aLongRunningCallWhoseWorkerCutsItsBodyShortEndsWith502() throws Exception {
        worker.behaviour = Behaviour.LATE_CHUNKS_THEN_CLOSE;
        HttpResponse<String> accepted = HttpPollingTest.send(HttpPollingTest.pexec(port, deployed.functionId(), key,
                "x").header("NVCF-POLL-SECONDS", "1"));
        assertThat(accepted.statusCode()).isEqualTo(202);
        String requestId = accepted.headers().firstValue("nvcf-reqid").orElseThrow();
        assertPollEndsWithWorkerFailure(requestId);
    }

    /**
     * A call answered 202 whose client then hangs up, and whose worker then closes without answering: the poll
     * ends with 502 (the answer goes to the poll result, which the client's leaving does not end).
     */
    @Test
    void aLongRunningCallWhoseClientLeftAndWhoseWorkerFailsEndsWith502() throws Exception {
        worker.behaviour = Behaviour.LATE_CLOSE;
        String requestId;
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.getOutputStream().write(("POST /v2/nvcf/pexec/functions/" + deployed.functionId() + " HTTP/1.1\r\n"
                    + "Host: gateway\r\nAuthorization: Bearer " + key + "\r\nNVCF-POLL-SECONDS: 1\r\n"
                    + "Content-Length: 1\r\n\r\nx").getBytes(StandardCharsets.US_ASCII));
            client.setSoTimeout(10_000);
            String head = responseHead(client.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 202");
            requestId = head.lines().filter(line -> line.toLowerCase().startsWith("nvcf-reqid:")).findFirst()
                    .orElseThrow().substring("nvcf-reqid:".length()).trim();
        }
        assertPollEndsWithWorkerFailure(requestId);
    }

    @Test
    void aBodyTheWorkerCutsShortIsCutShortForTheClient(CapturedOutput output) {
        worker.behaviour = Behaviour.CHUNKS_THEN_CLOSE;
        int logged = output.getAll().length();
        // The gateway must not end the chunked body properly after the worker's first chunk: the client would
        // take "abc" for the whole answer.
        assertThatThrownBy(() -> call()).isInstanceOf(IOException.class);
        assertThat(output.getAll().substring(logged)).doesNotContain("\tat ").doesNotContain("Exception");
    }

    /** curl, uploading 20 MB at 2 MB/s, gives up after a second: the call ends there, with nothing to answer. */
    @Test
    void aClientThatGoesAwayMidUploadEndsItsCallQuietly(CapturedOutput output, @TempDir Path dir) throws Exception {
        worker.behaviour = Behaviour.READ_ALL;
        Path body = dir.resolve("body");
        try (RandomAccessFile file = new RandomAccessFile(body.toFile(), "rw")) {
            file.setLength(20_000_000);
        }
        int logged = output.getAll().length();
        Process curl = new ProcessBuilder("curl", "-sS", "-m", "1", "--limit-rate", "2M", "-o", "/dev/null",
                "-H", "Authorization: Bearer " + key, "-H", "NVCF-POLL-SECONDS: 30", "--data-binary", "@" + body,
                "http://127.0.0.1:" + port + "/v2/nvcf/pexec/functions/" + deployed.functionId())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(curl.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(curl.exitValue()).as("curl's own timeout").isEqualTo(28);
        assertThat(worker.bodyBytes.get()).as("part of the body reached the worker").isPositive();
        // The call's access line is written when the call has ended.
        await().atMost(Duration.ofSeconds(10)).until(() -> output.getAll().substring(logged)
                .contains("dev.functiongateway.access"));
        assertThat(output.getAll().substring(logged)).doesNotContain("\tat ").doesNotContain("ERROR");
    }

    /** The long-running call's status URL answers 202 for a while, then the worker's failure: 502. */
    private void assertPollEndsWithWorkerFailure(String requestId) throws Exception {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> HttpPollingTest.send(HttpPollingTest.status(port, requestId, key)).statusCode() != 202);
        HttpResponse<String> result = HttpPollingTest.send(HttpPollingTest.status(port, requestId, key));
        assertThat(result.statusCode()).isEqualTo(502);
        assertThat(result.body()).contains("the function's worker failed to answer");
    }

    /** Reads an HTTP response's head, up to its blank line. */
    private static String responseHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private HttpResponse<String> assertBadGateway(Behaviour behaviour, CapturedOutput output) throws Exception {
        worker.behaviour = behaviour;
        int logged = output.getAll().length();
        HttpResponse<String> response = call();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(502);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        // Framed by its length, not by the connection's close, which a client still sending can see as a reset.
        assertThat(response.headers().firstValue("Content-Length"))
                .hasValue(String.valueOf(response.body().getBytes(StandardCharsets.UTF_8).length));
        assertThat(response.body()).contains("the function's worker failed to answer")
                .doesNotContain(worker.address());
        assertThat(output.getAll().substring(logged)).doesNotContain("\tat ").doesNotContain("Exception");
        return response;
    }

    private HttpResponse<String> call() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/nvcf/pexec/functions/"
                        + deployed.functionId())).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private enum Behaviour {
        CLOSE, LATE_CLOSE, RESET, NOT_HTTP, HEAD_THEN_CLOSE, CHUNKS_THEN_CLOSE, LATE_CHUNKS_THEN_CLOSE, READ_ALL
    }

    /** Reads each request's head, then does what {@link #behaviour} says, and closes. One connection at a time. */
    private static final class BrokenWorker implements AutoCloseable {

        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final Thread acceptor = new Thread(this::serve, "broken-worker");
        volatile Behaviour behaviour = Behaviour.CLOSE;
        /** Body bytes read in {@link Behaviour#READ_ALL}. */
        final AtomicLong bodyBytes = new AtomicLong();

        BrokenWorker() throws IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String address() {
            return "127.0.0.1:" + server.getLocalPort();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket connection = server.accept()) {
                    readHead(connection.getInputStream());
                    switch (behaviour) {
                        case CLOSE -> { }
                        case LATE_CLOSE -> Thread.sleep(1500); // past the client's NVCF-POLL-SECONDS
                        case READ_ALL -> {
                            byte[] buffer = new byte[65536];
                            for (int n; (n = connection.getInputStream().read(buffer)) > 0; ) {
                                bodyBytes.addAndGet(n);
                                Thread.sleep(10); // a slow reader: the gateway has body bytes on their way
                            }
                        }
                        case RESET -> connection.setSoLinger(true, 0);
                        case NOT_HTTP -> connection.getOutputStream().write(
                                "HELLO\0\1 this is not HTTP\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        case HEAD_THEN_CLOSE -> connection.getOutputStream().write(("HTTP/1.1 200 OK\r\n"
                                + "Content-Length: 100\r\nX-From-Worker: yes\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        case CHUNKS_THEN_CLOSE, LATE_CHUNKS_THEN_CLOSE -> {
                            if (behaviour == Behaviour.LATE_CHUNKS_THEN_CLOSE) {
                                Thread.sleep(1500); // past the client's NVCF-POLL-SECONDS: it has its 202
                            }
                            connection.getOutputStream().write(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                                    + "Content-Type: text/plain\r\n\r\n3\r\nabc\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
                            connection.getOutputStream().flush();
                            Thread.sleep(200);
                        }
                    }
                } catch (IOException | InterruptedException e) {
                    // closed, or the gateway went away first: the next connection decides
                }
            }
        }

        private static void readHead(InputStream in) throws IOException {
            int matched = 0;
            byte[] end = { '\r', '\n', '\r', '\n' };
            while (matched < end.length) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}

package dev.functiongateway.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.functiongateway.support.AdminClient;
import dev.functiongateway.support.AdminClient.Response;
import dev.functiongateway.support.RunningGateway;

/**
 * Fuzzes the admin API's JSON bodies through a started gateway over real HTTP: every write operation, any
 * body. Never a 5xx, every refusal a problem detail that names no Java type, and what was stored before is still
 * there afterwards. Only the version whose body is fuzzed by {@code PUT} can change its health protocol, and it
 * is never deployed, so the gateway never connects to a fuzzed endpoint. Without {@code JAZZER_FUZZ} it replays
 * the seeds under {@code AdminBodyFuzzTestInputs}; {@code scripts/fuzz.sh} fuzzes for a while.
 */
class AdminBodyFuzzTest {

    private static final String ADMIN_KEY = "fuzz-admin-key-0123456789";
    private static final String FUNCTIONS = "/v2/nvcf/functions";

    private static RunningGateway gateway;
    private static AdminClient admin;
    private static SilentCloseable loopbackOnly;
    private static String function;
    private static String version;
    private static String deployment;
    private static Response sentinel;

    @BeforeAll
    static void start() {
        gateway = RunningGateway.start(Map.of(
                "spring.datasource.url", "jdbc:h2:file:./target/test-data/fuzz-" + UUID.randomUUID(),
                "gateway.auth.bootstrap-admin-key", ADMIN_KEY,
                "spring.grpc.server.shutdown.grace-period", "1s", "gateway.proxy.drain-time", "1s",
                "logging.level.root", "WARN"));
        admin = gateway.admin(ADMIN_KEY);
        Response created = admin.post(FUNCTIONS, "{\"name\":\"fuzzed\"}");
        function = created.at("/function/id");
        version = created.at("/function/versionId");
        // Deployments are fuzzed on a version that is never health-checked and never called, so that no fuzzed
        // endpoint is ever connected to: everything stays on loopback.
        Response deployed = admin.post(FUNCTIONS, "{\"name\":\"deployed\",\"health\":{\"protocol\":\"NONE\"}}");
        deployment = "/v2/nvcf/deployments/functions/" + deployed.at("/function/id") + "/versions/"
                + deployed.at("/function/versionId");
        sentinel = admin.post(FUNCTIONS, "{\"name\":\"sentinel\",\"description\":\"must survive\"}");
    }

    @AfterAll
    static void nothingStoredIsLost() {
        try {
            String path = FUNCTIONS + "/" + sentinel.at("/function/id") + "/versions/"
                    + sentinel.at("/function/versionId");
            assertThat(admin.get(path).json().get("function")).isEqualTo(sentinel.json().get("function"));
            assertThat(admin.get("/v1/keys").status()).isEqualTo(200);
        } finally {
            gateway.close();
        }
    }

    @FuzzTest(maxDuration = "10s")
    void adminBodies(FuzzedDataProvider data) {
        if (loopbackOnly == null) {
            // For Jazzer's SSRF detector (set once its agent runs): the test's client talks to the gateway on
            // loopback, and nothing else may connect anywhere. It stays in force until the JVM ends.
            loopbackOnly = BugDetectors.allowNetworkConnections((host, port) -> "127.0.0.1".equals(host));
        }
        String[][] operations = {
                { "POST", FUNCTIONS },
                { "POST", FUNCTIONS + "/" + function + "/versions" },
                { "PUT", FUNCTIONS + "/" + function + "/versions/" + version },
                { "POST", deployment },
                { "PUT", deployment },
                { "PUT", deployment + "/instances/fuzzed-instance" },
                { "POST", "/v1/keys" } };
        String[] operation = operations[data.consumeInt(0, operations.length - 1)];
        String body = data.consumeRemainingAsString();

        Response response = admin.send(operation[0], operation[1], body);

        assertThat(response.status()).as("%s %s %s -> %s", operation[0], operation[1], body, response.text())
                .isLessThan(500);
        if (response.status() >= 400) {
            assertThat(response.contentType()).isEqualTo("application/problem+json");
            assertThat(response.text()).doesNotContain("Exception").doesNotContain("java.")
                    .doesNotContain("dev.functiongateway");
        }
    }
}

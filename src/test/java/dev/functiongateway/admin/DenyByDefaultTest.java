package dev.functiongateway.admin;

import static dev.functiongateway.admin.AdminApiContract.assertProblem;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.functiongateway.support.AdminClient;

/** An operation someone forgot to give a scope is refused to every key, the all-powerful one included. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.grpc.server.port=0", "gateway.auth.bootstrap-admin-key=" + DenyByDefaultTest.ADMIN_KEY,
        "spring.datasource.url=jdbc:h2:file:./target/test-data/deny-${random.uuid}",
        "spring.grpc.server.shutdown.grace-period=5s", "gateway.proxy.drain-time=2s" })
@Import(DenyByDefaultTest.ForgottenScope.class)
class DenyByDefaultTest {

    static final String ADMIN_KEY = "deny-admin-key-0123456789";

    @LocalServerPort
    int port;

    /** A new operation without {@link RequiredScope}; only this test's context has it. */
    @RestController
    static class ForgottenScope {

        @GetMapping("/v2/nvcf/forgotten")
        String open() {
            return "should never be reached";
        }
    }

    @Test
    void anOperationWithoutADeclaredScopeIsRefused() {
        AdminClient admin = new AdminClient(port, ADMIN_KEY);
        assertProblem(admin.get("/v2/nvcf/forgotten"), 403, "not open to API keys");
        assertProblem(admin.withKey(null).get("/v2/nvcf/forgotten"), 401, "no API key");
    }
}

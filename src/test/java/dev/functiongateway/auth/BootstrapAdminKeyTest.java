package dev.functiongateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.functiongateway.support.AdminClient.Response;
import dev.functiongateway.support.RunningGateway;

/** The first admin key, both ways: configured, and generated to an owner-only file. */
@ExtendWith(OutputCaptureExtension.class)
class BootstrapAdminKeyTest {

    @TempDir
    Path dir;

    @Test
    void aConfiguredKeyExistsWithEveryScopeAndIsCreatedOnlyOnce() throws Exception {
        String value = "configured-admin-key-" + UUID.randomUUID();
        Map<String, String> properties = Map.of("spring.datasource.url", h2(), "gateway.auth.bootstrap-admin-key",
                value, "gateway.auth.admin-key-file", dir.resolve("admin-key").toString());
        for (int start = 0; start < 2; start++) {
            try (RunningGateway gateway = RunningGateway.start(properties)) {
                Response keys = gateway.admin(value).get("/v1/keys");
                assertThat(keys.status()).isEqualTo(200);
                assertThat(keys.json().get("keys").size()).isEqualTo(1);
                assertThat(keys.json().at("/keys/0/scopes").valueStream().map(n -> n.asString()))
                        .containsExactlyInAnyOrder("invoke_function", "list_functions", "queue_details",
                                "register_function", "deploy_function", "update_function", "delete_function",
                                "manage_keys");
            }
        }
        assertThat(dir.resolve("admin-key")).doesNotExist();
    }

    @Test
    void withoutOneAKeyIsGeneratedToAnOwnerOnlyFileAndNeverLogged(CapturedOutput output) throws Exception {
        Path file = dir.resolve("secrets/admin-key");
        Map<String, String> properties = Map.of("spring.datasource.url", h2(), "gateway.auth.admin-key-file",
                file.toString());
        String value;
        try (RunningGateway gateway = RunningGateway.start(properties)) {
            assertThat(file).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            value = Files.readString(file).trim();
            assertThat(value).startsWith("fgw_");
            assertThat(gateway.admin(value).post("/v1/keys", "{\"name\":\"n\",\"scopes\":[\"manage_keys\"]}").status())
                    .isEqualTo(200);
            assertThat(output.getAll()).contains(file.toAbsolutePath().toString()).doesNotContain(value);
        }
        try (RunningGateway again = RunningGateway.start(properties)) {
            assertThat(Files.readString(file).trim()).isEqualTo(value);
            assertThat(again.admin(value).get("/v1/keys").json().get("keys").size()).isEqualTo(2);
        }
    }

    @Test
    void aNewlyConfiguredKeyReplacesThePreviousAndTheGeneratedOne() throws Exception {
        String db = h2();
        Path file = dir.resolve("admin-key");
        String generated;
        try (RunningGateway gateway = RunningGateway.start(Map.of("spring.datasource.url", db,
                "gateway.auth.admin-key-file", file.toString()))) {
            generated = Files.readString(file).trim();
        }
        String first = "first-admin-key-" + UUID.randomUUID();
        String second = "second-admin-key-" + UUID.randomUUID();
        try (RunningGateway gateway = RunningGateway.start(Map.of("spring.datasource.url", db,
                "gateway.auth.bootstrap-admin-key", first, "gateway.auth.admin-key-file", file.toString()))) {
            assertThat(gateway.admin(first).get("/v1/keys").status()).isEqualTo(200);
            assertThat(gateway.admin(generated).get("/v1/keys").status()).isEqualTo(401);
        }
        try (RunningGateway gateway = RunningGateway.start(Map.of("spring.datasource.url", db,
                "gateway.auth.bootstrap-admin-key", second, "gateway.auth.admin-key-file", file.toString()))) {
            assertThat(gateway.admin(second).get("/v1/keys").status()).isEqualTo(200);
            Response old = gateway.admin(first).get("/v1/keys");
            assertThat(old.status()).isEqualTo(401);
            assertThat(old.at("/detail")).contains("revoked");
            assertThat(gateway.admin(generated).get("/v1/keys").status()).isEqualTo(401);
        }
    }

    private static String h2() {
        return "jdbc:h2:file:./target/test-data/bootstrap-" + UUID.randomUUID();
    }
}

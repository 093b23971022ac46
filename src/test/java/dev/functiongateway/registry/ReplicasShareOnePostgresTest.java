package dev.functiongateway.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.functiongateway.support.AdminClient;
import dev.functiongateway.support.RunningGateway;
import dev.functiongateway.support.TestPostgres;

/**
 * Two gateway replicas on one PostgreSQL, with the shipped refresh interval: what is changed through one is in
 * force on the other within 5 s.
 */
class ReplicasShareOnePostgresTest {

    private static final String ADMIN_KEY = "replica-admin-key-0123456789";
    private static final Duration CONVERGENCE = Duration.ofSeconds(5);

    static RunningGateway first;
    static RunningGateway second;

    @BeforeAll
    static void start() {
        Map<String, String> properties = new HashMap<>(RunningGateway.postgres(TestPostgres.newDatabase()));
        properties.put("gateway.auth.bootstrap-admin-key", ADMIN_KEY);
        first = RunningGateway.start(properties);
        second = RunningGateway.start(properties);
    }

    @AfterAll
    static void stop() {
        first.close();
        second.close();
    }

    @Test
    void aFunctionRegisteredThroughOneIsInTheOthersSnapshotWithinFiveSeconds() {
        var created = first.admin(ADMIN_KEY).post("/v2/nvcf/functions", "{\"name\":\"shared\"}");
        UUID fid = UUID.fromString(created.at("/function/id"));
        UUID vid = UUID.fromString(created.at("/function/versionId"));
        assertThat(first.bean(RegistryCache.class).snapshot().version(fid, vid)).isNotNull();

        RegistryCache other = second.bean(RegistryCache.class);
        await().atMost(CONVERGENCE).pollInterval(Duration.ofMillis(50))
                .until(() -> other.snapshot().version(fid, vid) != null);
    }

    @Test
    void aKeyRevokedThroughOneIsRefusedByTheOtherWithinFiveSeconds() {
        var created = first.admin(ADMIN_KEY).post("/v1/keys", "{\"name\":\"shared\",\"scopes\":[\"list_functions\"]}");
        AdminClient onSecond = second.admin(created.at("/value"));
        await().atMost(CONVERGENCE).pollInterval(Duration.ofMillis(50))
                .until(() -> onSecond.get("/v2/nvcf/functions").status() == 200);

        assertThat(first.admin(ADMIN_KEY).delete("/v1/keys/" + created.at("/key/id")).status()).isEqualTo(200);
        await().atMost(CONVERGENCE).pollInterval(Duration.ofMillis(50))
                .until(() -> onSecond.get("/v2/nvcf/functions").status() == 401);
        assertThat(onSecond.get("/v2/nvcf/functions").at("/detail")).contains("revoked");
    }
}

package dev.functiongateway.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.functiongateway.support.AdminClient;
import dev.functiongateway.support.AdminClient.Response;
import dev.functiongateway.support.RunningGateway;
import dev.functiongateway.support.TestPostgres;
import tools.jackson.databind.JsonNode;

/** What is written survives the gateway stopping and starting again on the same store, on H2 and PostgreSQL. */
class PersistenceAcrossRestartTest {

    private static final String ADMIN_KEY = "restart-admin-key-0123456789";

    @ParameterizedTest
    @ValueSource(strings = { "h2", "postgres" })
    void functionsDeploymentsAndKeysSurviveARestart(String store) {
        Map<String, String> properties = new java.util.HashMap<>(store.equals("h2")
                ? Map.of("spring.datasource.url", "jdbc:h2:file:./target/test-data/restart-" + UUID.randomUUID())
                : RunningGateway.postgres(TestPostgres.newDatabase()));
        properties.put("gateway.auth.bootstrap-admin-key", ADMIN_KEY);

        String fid;
        String vid;
        String keyValue;
        String keyId;
        Response function;
        Response deployment;
        try (RunningGateway first = RunningGateway.start(properties)) {
            AdminClient admin = first.admin(ADMIN_KEY);
            // Not health-checked, so that the deployment's view (check times included) is the same after a restart.
            function = admin.post("/v2/nvcf/functions",
                    "{\"name\":\"durable\",\"description\":\"kept\",\"health\":{\"protocol\":\"NONE\"}}");
            fid = function.at("/function/id");
            vid = function.at("/function/versionId");
            deployment = admin.post(path(fid, vid), "{\"endpoints\":[\"127.0.0.1:7001\",\"127.0.0.1:7002\"]}");
            Response key = admin.post("/v1/keys", "{\"name\":\"durable-key\",\"scopes\":[\"list_functions\"],"
                    + "\"functions\":[\"" + fid + "\"]}");
            keyValue = key.at("/value");
            keyId = key.at("/key/id");
            function = admin.get("/v2/nvcf/functions/" + fid + "/versions/" + vid);
        }

        try (RunningGateway second = RunningGateway.start(properties)) {
            AdminClient admin = second.admin(ADMIN_KEY);
            assertThat(admin.get("/v2/nvcf/functions/" + fid + "/versions/" + vid).json()).isEqualTo(function.json());
            // What was stored; each instance's health is this replica's own observation, not stored.
            JsonNode after = admin.get(path(fid, vid)).json();
            for (String field : new String[] { "id", "address", "tls", "registeredAt" }) {
                assertThat(after.at("/deployment/instances").findValuesAsString(field))
                        .isEqualTo(deployment.json().at("/deployment/instances").findValuesAsString(field));
            }
            assertThat(after.at("/deployment/maxRequestConcurrency"))
                    .isEqualTo(deployment.json().at("/deployment/maxRequestConcurrency"));
            assertThat(admin.get("/v1/keys/" + keyId).at("/key/name")).isEqualTo("durable-key");
            assertThat(second.admin(keyValue).get("/v2/nvcf/functions").json().get("functions")
                    .findValuesAsString("id")).containsExactly(fid);
            assertThat(second.bean(RegistryCache.class).snapshot().version(UUID.fromString(fid),
                    UUID.fromString(vid)).instances()).hasSize(2);
        }
    }

    private static String path(String fid, String vid) {
        return "/v2/nvcf/deployments/functions/" + fid + "/versions/" + vid;
    }
}

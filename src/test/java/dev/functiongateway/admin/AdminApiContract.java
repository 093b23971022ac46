package dev.functiongateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Locale;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.functiongateway.support.AdminClient;
import dev.functiongateway.support.AdminClient.Response;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import tools.jackson.databind.JsonNode;

/**
 * The whole admin API over real HTTP against a started gateway. Subclasses choose the database; every test
 * runs unchanged on each.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gateway.proxy.port=0",
        "gateway.auth.bootstrap-admin-key=" + AdminApiContract.ADMIN_KEY,
        "gateway.registry.refresh-interval=500ms", "gateway.registry.deploy-timeout=3s",
        // Cached contexts close one after another at JVM exit; bound each one's wait for the listener.
        "gateway.proxy.drain-time=2s" })
abstract class AdminApiContract {

    static final String ADMIN_KEY = "test-admin-key-0123456789";
    private static final String FUNCTIONS = "/v2/nvcf/functions";

    @LocalServerPort
    int port;

    /** Actuator's own listener (management port). */
    @Value("${local.management.port}")
    int managementPort;

    AdminClient admin;

    @BeforeEach
    void client() {
        admin = new AdminClient(port, ADMIN_KEY);
    }

    // ---- functions and versions

    @Test
    void registersListsUpdatesAndDeletesFunctionVersions() {
        Response created = register("{\"name\":\"echo\",\"description\":\"echoes\",\"inferenceProtocol\":\"GRPC\"}");
        assertThat(created.status()).isEqualTo(200);
        String fid = created.at("/function/id");
        String v1 = created.at("/function/versionId");
        assertThat(created.at("/function/name")).isEqualTo("echo");
        assertThat(created.at("/function/status")).isEqualTo("INACTIVE");
        assertThat(created.at("/function/inferenceProtocol")).isEqualTo("GRPC");
        assertThat(created.json().at("/function/createdAt").isString()).isTrue();

        Response second = admin.post(FUNCTIONS + "/" + fid + "/versions",
                "{\"inferenceProtocol\":\"HTTP\",\"inferenceUrl\":\"/infer\",\"maxRequestConcurrency\":4}");
        assertThat(second.status()).isEqualTo(200);
        String v2 = second.at("/function/versionId");
        assertThat(second.at("/function/id")).isEqualTo(fid);
        assertThat(second.at("/function/inferenceUrl")).isEqualTo("/infer");
        assertThat(second.json().at("/function/maxRequestConcurrency").asInt()).isEqualTo(4);

        Response versions = admin.get(FUNCTIONS + "/" + fid + "/versions");
        assertThat(versions.status()).isEqualTo(200);
        assertThat(versions.json().get("functions").findValuesAsString("versionId")).containsExactly(v1, v2);
        assertThat(admin.get(FUNCTIONS).json().get("functions").findValuesAsString("versionId")).contains(v1, v2);
        assertThat(admin.get(FUNCTIONS + "/" + fid + "/versions/" + v1).json()).isEqualTo(created.json());

        Response updated = admin.put(FUNCTIONS + "/" + fid + "/versions/" + v2,
                "{\"maxRequestConcurrency\":8,\"status\":\"ERROR\"}");
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().at("/function/maxRequestConcurrency").asInt()).isEqualTo(8);
        assertThat(updated.at("/function/status")).isEqualTo("ERROR");
        assertThat(updated.at("/function/inferenceUrl")).isEqualTo("/infer");
        assertThat(admin.get(FUNCTIONS + "/" + fid + "/versions/" + v2).json()).isEqualTo(updated.json());

        assertThat(admin.delete(FUNCTIONS + "/" + fid + "/versions/" + v1).status()).isEqualTo(200);
        assertThat(admin.get(FUNCTIONS + "/" + fid + "/versions/" + v1).status()).isEqualTo(404);
        assertThat(admin.get(FUNCTIONS + "/" + fid + "/versions").status()).isEqualTo(200);

        assertThat(admin.delete(FUNCTIONS + "/" + fid + "/versions/" + v2).status()).isEqualTo(200);
        Response gone = admin.get(FUNCTIONS + "/" + fid + "/versions");
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.at("/detail")).contains("function " + fid + " does not exist");
    }

    @Test
    void deploysUndeploysAndTakesSelfRegisteredInstances() {
        Response created = register("{\"name\":\"deployed\",\"inferenceProtocol\":\"GRPC\",\"health\":{\"protocol\":\"NONE\"}}");
        String path = "/v2/nvcf/deployments/functions/" + created.at("/function/id") + "/versions/"
                + created.at("/function/versionId");

        Response deployed = admin.post(path, "{\"endpoints\":[\"127.0.0.1:9001\",\"[::1]:9002\",\"worker-3:9003\"],"
                + "\"maxRequestConcurrency\":2}");
        assertThat(deployed.status()).isEqualTo(200);
        assertThat(deployed.at("/deployment/status")).isEqualTo("ACTIVE");
        assertThat(deployed.json().at("/deployment/instances").findValuesAsString("address"))
                .containsExactlyInAnyOrder("127.0.0.1:9001", "[::1]:9002", "worker-3:9003");
        assertThat(admin.get(path).json()).isEqualTo(deployed.json());
        assertThat(admin.get(FUNCTIONS + "/" + created.at("/function/id") + "/versions/"
                + created.at("/function/versionId")).at("/function/status")).isEqualTo("ACTIVE");

        Response undeployed = admin.delete(path);
        assertThat(undeployed.at("/deployment/status")).isEqualTo("INACTIVE");
        assertThat(undeployed.json().at("/deployment/instances").size()).isZero();
        assertThat(admin.get(path).json().at("/deployment/instances").size()).isZero();

        Response first = admin.put(path + "/instances/worker-a", "{\"address\":\"127.0.0.1:9100\",\"ttlSeconds\":1}");
        assertThat(first.status()).isEqualTo(201);
        assertThat(first.at("/deployment/status")).isEqualTo("ACTIVE");
        assertThat(admin.put(path + "/instances/worker-b", "{\"address\":\"127.0.0.1:9101\",\"ttlSeconds\":600}")
                .status()).isEqualTo(201);
        assertThat(admin.put(path + "/instances/worker-b", "{\"address\":\"127.0.0.1:9101\",\"ttlSeconds\":600}")
                .status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                admin.get(path).json().at("/deployment/instances").findValuesAsString("id")).containsExactly("worker-b"));

        assertThat(admin.delete(path + "/instances/worker-b").status()).isEqualTo(200);
        assertThat(admin.delete(path + "/instances/worker-b").status()).isEqualTo(404);
    }

    // ---- NVIDIA Cloud Functions' request shapes

    @Test
    void acceptsNvcfShapedRequestsAndWarnsOfFieldsWithoutEffect() {
        Response grpc = register("""
                {"name": "nvcf-echo", "description": "from an NVCF script", "inferenceUrl": "/grpc",
                 "inferencePort": 8001, "containerImage": "nvcr.io/org/echo:1.0", "apiBodyFormat": "CUSTOM",
                 "containerEnvironment": [{"key": "LOG_LEVEL", "value": "info"}], "functionType": "DEFAULT",
                 "tags": ["demo"], "health": {"protocol": "gRPC", "uri": "/", "port": 8001, "timeout": "PT10S",
                 "expectedStatusCode": 0}}""");
        assertThat(grpc.at("/function/inferenceProtocol")).isEqualTo("GRPC");
        assertThat(grpc.at("/function/health/protocol")).isEqualTo("GRPC");
        assertThat(grpc.at("/function/health/uri")).isEmpty();
        assertThat(grpc.json().get("warnings").valueStream().map(JsonNode::asString))
                .anySatisfy(w -> assertThat(w).startsWith("'containerImage' is ignored"))
                .anySatisfy(w -> assertThat(w).startsWith("'inferencePort' is ignored"))
                .anySatisfy(w -> assertThat(w).startsWith("'health.port' is ignored"))
                .noneSatisfy(w -> assertThat(w).contains("inferenceUrl"));
        Response http = register("""
                {"name": "nvcf-http", "inferenceUrl": "/echo", "containerImage": "nvcr.io/org/echo:1.0",
                 "health": {"protocol": "HTTP", "uri": "/health", "expectedStatusCode": 200}}""");
        assertThat(http.at("/function/inferenceProtocol")).isEqualTo("HTTP");
        assertThat(http.at("/function/inferenceUrl")).isEqualTo("/echo");
        assertProblem(admin.post(FUNCTIONS, "{\"name\":\"x\",\"health\":{\"protocol\":\"HTTP\",\"colour\":1}}"),
                400, "unknown field 'colour'");

        String deployment = "/v2/nvcf/deployments/functions/" + grpc.at("/function/id") + "/versions/"
                + grpc.at("/function/versionId");
        Response deployed = admin.post(deployment, """
                {"endpoints": ["127.0.0.1:9301"], "deploymentSpecifications": [{"gpu": "L40",
                 "instanceType": "gl40_1.br20_2xlarge", "backend": "GFN", "minInstances": 1, "maxInstances": 2,
                 "maxRequestConcurrency": 3}]}""");
        assertThat(deployed.status()).as(deployed.text()).isEqualTo(200);
        assertThat(deployed.at("/deployment/functionVersionId")).isEqualTo(grpc.at("/function/versionId"));
        assertThat(deployed.at("/deployment/versionId")).isEqualTo(grpc.at("/function/versionId"));
        assertThat(deployed.at("/deployment/functionStatus")).isEqualTo(deployed.at("/deployment/status"));
        assertThat(deployed.json().at("/deployment/maxRequestConcurrency").asInt()).isEqualTo(3);
        assertThat(deployed.json().get("warnings").valueStream().map(JsonNode::asString))
                .anySatisfy(w -> assertThat(w).startsWith("'deploymentSpecifications.gpu' is ignored"));

        Response updated = admin.put(deployment, """
                {"deploymentSpecifications": [{"gpu": "L40", "instanceType": "gl40_1.br20_2xlarge",
                 "minInstances": 1, "maxInstances": 1, "maxRequestConcurrency": 5}]}""");
        assertThat(updated.status()).as(updated.text()).isEqualTo(200);
        assertThat(updated.json().at("/deployment/maxRequestConcurrency").asInt()).isEqualTo(5);
        assertThat(updated.json().at("/deployment/instances").findValuesAsString("address"))
                .containsExactly("127.0.0.1:9301");
    }

    @Test
    void aDeploymentShowsEachInstancesHealthAndTurnsToErrorWhenNoneEverBecomesHealthy() throws Exception {
        Response created = register("{\"name\":\"never-healthy\"}");
        String deployment = "/v2/nvcf/deployments/functions/" + created.at("/function/id") + "/versions/"
                + created.at("/function/versionId");
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Response deployed = admin.post(deployment, "{\"endpoints\":[\"127.0.0.1:" + closedPort + "\"]}");
        assertThat(deployed.at("/deployment/status")).isEqualTo("DEPLOYING");
        assertThat(deployed.at("/deployment/statusReason")).isNotEmpty();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Response now = admin.get(deployment);
            assertThat(now.at("/deployment/instances/0/health/healthy")).isEqualTo("false");
            assertThat(now.json().at("/deployment/instances/0/health/lastCheckAt").isString()).isTrue();
            assertThat(now.at("/deployment/instances/0/health/lastError")).contains("UNAVAILABLE");
            assertThat(now.at("/deployment/functionStatus")).isEqualTo("ERROR");
            assertThat(now.at("/deployment/statusReason")).contains("deploy-timeout").contains("UNAVAILABLE");
        });
    }

    // ---- keys

    @Test
    void createsListsAndRevokesKeysWithoutEverShowingThemAgain() {
        Response created = admin.post("/v1/keys", "{\"name\":\"caller\",\"scopes\":[\"invoke_function\"]}");
        assertThat(created.status()).isEqualTo(200);
        String value = created.at("/value");
        String id = created.at("/key/id");
        assertThat(value).startsWith("fgw_").hasSize(53);
        assertThat(created.json().at("/key/scopes").get(0).asString()).isEqualTo("invoke_function");
        assertThat(created.json().get("key").has("createdAt")).isTrue();

        Response listed = admin.get("/v1/keys");
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.json().get("keys").findValuesAsString("id")).contains(id);
        Response one = admin.get("/v1/keys/" + id);
        assertThat(one.at("/key/name")).isEqualTo("caller");
        for (Response r : new Response[] { listed, one }) {
            assertThat(r.text()).doesNotContain(value).doesNotContain("hash").doesNotContain("\"value\"");
        }

        AdminClient keyHolder = admin.withKey(value);
        assertThat(keyHolder.get(FUNCTIONS).status()).isEqualTo(403);
        Response revoked = admin.delete("/v1/keys/" + id);
        assertThat(revoked.status()).isEqualTo(200);
        assertThat(revoked.json().at("/key/revokedAt").isString()).isTrue();
        assertThat(admin.delete("/v1/keys/" + id).status()).isEqualTo(200);
        Response refused = keyHolder.get(FUNCTIONS);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.at("/detail")).contains("revoked");
    }

    @Test
    void importsKeysWithAGivenValue() {
        String value = "legacy-system-key-" + System.nanoTime();
        Response imported = admin.post("/v1/keys",
                "{\"name\":\"migrated\",\"scopes\":[\"list_functions\"],\"value\":" + AdminClient.quote(value) + "}");
        assertThat(imported.status()).isEqualTo(200);
        assertThat(imported.at("/value")).isEqualTo(value);
        assertThat(admin.withKey(value).get(FUNCTIONS).status()).isEqualTo(200);

        Response duplicate = admin.post("/v1/keys",
                "{\"name\":\"again\",\"scopes\":[\"list_functions\"],\"value\":" + AdminClient.quote(value) + "}");
        assertProblem(duplicate, 409, "already exists");
        assertProblem(admin.post("/v1/keys", "{\"name\":\"short\",\"scopes\":[\"list_functions\"],\"value\":\"short\"}"),
                400, "16 to 512");
    }

    @Test
    void expiredKeysAreRefused() {
        String value = admin.post("/v1/keys", "{\"name\":\"brief\",\"scopes\":[\"list_functions\"],\"expiresAt\":\""
                + Instant.now().plusSeconds(3) + "\"}").at("/value");
        AdminClient brief = admin.withKey(value);
        // Three seconds of life: long enough for this first call on a loaded CI machine (one was not).
        assertThat(brief.get(FUNCTIONS).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertProblem(brief.get(FUNCTIONS), 401, "expired"));
        assertProblem(admin.post("/v1/keys", "{\"name\":\"past\",\"scopes\":[\"list_functions\"],\"expiresAt\":\""
                + Instant.now().minusSeconds(60) + "\"}"), 400, "future");
    }

    // ---- scopes and function restrictions

    @Test
    void eachEndpointRequiresItsScope() {
        Response created = register("{\"name\":\"scoped\"}");
        String fid = created.at("/function/id");
        String vid = created.at("/function/versionId");
        String version = FUNCTIONS + "/" + fid + "/versions/" + vid;
        String deployment = "/v2/nvcf/deployments/functions/" + fid + "/versions/" + vid;
        AdminClient invokeOnly = keyWith("[\"invoke_function\",\"queue_details\"]", "[]");

        assertProblem(invokeOnly.post(FUNCTIONS, "{\"name\":\"x\"}"), 403, "register_function");
        assertProblem(invokeOnly.post(FUNCTIONS + "/" + fid + "/versions", "{}"), 403, "register_function");
        assertProblem(invokeOnly.get(FUNCTIONS), 403, "list_functions");
        assertProblem(invokeOnly.get(FUNCTIONS + "/" + fid + "/versions"), 403, "list_functions");
        assertProblem(invokeOnly.get(version), 403, "list_functions");
        assertProblem(invokeOnly.put(version, "{}"), 403, "update_function");
        assertProblem(invokeOnly.delete(version), 403, "delete_function");
        assertProblem(invokeOnly.post(deployment, "{\"endpoints\":[\"a:1\"]}"), 403, "deploy_function");
        assertProblem(invokeOnly.get(deployment), 403, "list_functions");
        assertProblem(invokeOnly.delete(deployment), 403, "deploy_function");
        assertProblem(invokeOnly.put(deployment + "/instances/i", "{\"address\":\"a:1\",\"ttlSeconds\":5}"), 403,
                "deploy_function");
        assertProblem(invokeOnly.post("/v1/keys", "{\"name\":\"x\",\"scopes\":[\"manage_keys\"]}"), 403, "manage_keys");
        assertProblem(invokeOnly.get("/v1/keys"), 403, "manage_keys");

        AdminClient lister = keyWith("[\"list_functions\"]", "[]");
        assertThat(lister.get(version).status()).isEqualTo(200);
        assertThat(admin.get(version).at("/function/name")).isEqualTo("scoped");
    }

    @Test
    void functionRestrictedKeysSeeAndChangeOnlyTheirFunctions() {
        Response mine = register("{\"name\":\"mine\"}");
        Response other = register("{\"name\":\"other\"}");
        String mineId = mine.at("/function/id");
        String mineV1 = mine.at("/function/versionId");
        String mineV2 = admin.post(FUNCTIONS + "/" + mineId + "/versions", "{}").at("/function/versionId");
        String otherId = other.at("/function/id");
        AdminClient restricted = keyWith("[\"list_functions\",\"update_function\"]",
                "[\"" + mineId + "/" + mineV1 + "\"]");

        assertThat(restricted.get(FUNCTIONS).json().get("functions").findValuesAsString("versionId"))
                .containsExactly(mineV1);
        assertThat(restricted.get(FUNCTIONS + "/" + mineId + "/versions/" + mineV1).status()).isEqualTo(200);
        assertProblem(restricted.get(FUNCTIONS + "/" + mineId + "/versions/" + mineV2), 403, "not allowed");
        assertProblem(restricted.get(FUNCTIONS + "/" + otherId + "/versions"), 403, "not allowed");
        assertProblem(restricted.put(FUNCTIONS + "/" + otherId + "/versions/" + other.at("/function/versionId"), "{}"),
                403, "not allowed");
        assertThat(restricted.put(FUNCTIONS + "/" + mineId + "/versions/" + mineV1, "{\"maxRequestConcurrency\":3}")
                .status()).isEqualTo(200);

        AdminClient wholeFunction = keyWith("[\"list_functions\"]", "[\"" + mineId + "\"]");
        assertThat(wholeFunction.get(FUNCTIONS + "/" + mineId + "/versions").json().get("functions")
                .findValuesAsString("versionId")).containsExactly(mineV1, mineV2);
    }

    @Test
    void aKeyCreatesSeesAndRevokesOnlyKeysWithinItsOwnPowers() {
        String a = register("{\"name\":\"granted\"}").at("/function/id");
        Response other = register("{\"name\":\"not-granted\"}");
        String b = other.at("/function/id");
        String bVersion = other.at("/function/versionId");
        Response managerCreated = admin.post("/v1/keys", "{\"name\":\"manager\",\"scopes\":[\"manage_keys\","
                + "\"list_functions\"],\"functions\":[\"" + a + "\"]}");
        String managerId = managerCreated.at("/key/id");
        AdminClient manager = admin.withKey(managerCreated.at("/value"));
        String adminId = admin.get("/v1/keys").json().get("keys").get(0).get("id").asString();

        assertProblem(manager.post("/v1/keys", "{\"name\":\"root\",\"scopes\":[\"manage_keys\"]}"), 403,
                "within its own");
        assertProblem(manager.post("/v1/keys", "{\"name\":\"wider\",\"scopes\":[\"deploy_function\"],"
                + "\"functions\":[\"" + a + "\"]}"), 403, "within its own");
        assertProblem(manager.post("/v1/keys", "{\"name\":\"elsewhere\",\"scopes\":[\"list_functions\"],"
                + "\"functions\":[\"" + b + "/" + bVersion + "\"]}"), 403, "within its own");

        Response narrower = manager.post("/v1/keys", "{\"name\":\"narrower\",\"scopes\":[\"list_functions\"],"
                + "\"functions\":[\"" + a + "\"]}");
        assertThat(narrower.status()).as(narrower.text()).isEqualTo(200);
        assertThat(narrower.at("/key/createdBy")).isEqualTo(managerId);
        String narrowerId = narrower.at("/key/id");
        assertThat(admin.get("/v1/keys/" + narrowerId).at("/key/createdBy")).isEqualTo(managerId);

        assertThat(manager.get("/v1/keys").json().get("keys").findValuesAsString("id"))
                .containsExactlyInAnyOrder(managerId, narrowerId);
        assertProblem(manager.get("/v1/keys/" + adminId), 404, "does not exist");
        assertProblem(manager.delete("/v1/keys/" + adminId), 404, "does not exist");
        assertThat(admin.get("/v1/keys/" + adminId).json().at("/key/revokedAt").isNull()).isTrue();
        assertThat(manager.delete("/v1/keys/" + narrowerId).status()).isEqualTo(200);
    }

    @Test
    void everyOperationInTheApiDescriptionRefusesKeylessAndScopelessCallers() {
        JsonNode paths = admin.withKey(null).get("/v3/api-docs").json().get("paths");
        AdminClient keyless = admin.withKey(null);
        AdminClient noAdminScope = keyWith("[\"invoke_function\"]", "[]");
        int operations = 0;
        for (String path : paths.propertyNames()) {
            String concrete = path.replaceAll("\\{[^}]*}", UUID.randomUUID().toString());
            for (String method : paths.get(path).propertyNames()) {
                String body = method.equals("post") || method.equals("put") ? "{}" : null;
                String verb = method.toUpperCase(Locale.ROOT);
                assertProblem(keyless.send(verb, concrete, body), 401, "no API key");
                assertProblem(noAdminScope.send(verb, concrete, body), 403, "lacks the");
                operations++;
            }
        }
        assertThat(operations).isGreaterThanOrEqualTo(18);

        assertProblem(keyless.get("/v2/nvcf/no-such-thing"), 401, "no API key");
        assertProblem(admin.get("/v2/nvcf/deployments/functions/versions"), 404, "no admin operation");
        assertThat(new AdminClient(managementPort, null).get("/actuator/health").status()).isEqualTo(200);
    }

    // ---- errors

    @Test
    void refusesMissingMalformedAndUnknownKeys() {
        assertProblem(admin.withKey(null).get(FUNCTIONS), 401, "no API key");
        assertProblem(admin.withKey("fgw_tooShort").get(FUNCTIONS), 401, "malformed");
        String valid = admin.post("/v1/keys", "{\"name\":\"k\",\"scopes\":[\"list_functions\"]}").at("/value");
        char last = valid.charAt(valid.length() - 1);
        String mistyped = valid.substring(0, valid.length() - 1) + (last == 'a' ? 'b' : 'a');
        assertProblem(admin.withKey(mistyped).get(FUNCTIONS), 401, "malformed");
        assertProblem(admin.withKey("some-key-nobody-ever-created").get(FUNCTIONS), 401, "not known");
    }

    @Test
    void malformedInputIsABadRequestThatChangesNothing() {
        // No health checks: the deployment's view (check times included) must stay exactly as it was.
        Response created = register("{\"name\":\"stable\",\"health\":{\"protocol\":\"NONE\"}}");
        String fid = created.at("/function/id");
        String version = FUNCTIONS + "/" + fid + "/versions/" + created.at("/function/versionId");
        String deployment = "/v2/nvcf/deployments/functions/" + fid + "/versions/" + created.at("/function/versionId");
        admin.post(deployment, "{\"endpoints\":[\"127.0.0.1:7000\"]}");
        Response before = admin.get(deployment);

        assertProblem(admin.get(FUNCTIONS + "/not-a-uuid/versions"), 400, "not-a-uuid");
        assertProblem(admin.post(deployment, "{\"endpoints\":[\"no-port\"]}"), 400, "host:port");
        assertProblem(admin.post(deployment, "{\"endpoints\":[\"host:99999\"]}"), 400, "port");
        assertProblem(admin.post(deployment, "{\"endpoints\":[\"bad host:80\"]}"), 400, "invalid host");
        assertProblem(admin.post(deployment, "{\"endpoints\":[]}"), 400, "at least one");
        assertProblem(admin.post("/v1/keys", "{\"name\":\"k\",\"scopes\":[\"fly\"]}"), 400, "unknown scope 'fly'");
        assertProblem(admin.put(version, "{\"status\":\"SLEEPING\"}"), 400, "SLEEPING");
        assertProblem(admin.post(FUNCTIONS, "{\"name\":\"x\",\"colour\":\"red\"}"), 400, "colour");
        assertProblem(admin.post(FUNCTIONS, "{\"name\":"), 400, "");
        assertProblem(admin.post(FUNCTIONS, "{\"name\":\"has space\"}"), 400, "name must be");
        assertProblem(admin.post(FUNCTIONS, "{\"name\":\"x\",\"maxRequestConcurrency\":-1}"), 400,
                "maxRequestConcurrency");
        assertProblem(admin.post(FUNCTIONS, "{\"name\":\"x\",\"inferenceUrl\":\"no-slash\"}"), 400, "inferenceUrl");
        assertProblem(admin.put(deployment + "/instances/ok", "{\"address\":\"a:1\"}"), 400, "ttlSeconds");
        assertProblem(admin.put(deployment + "/instances/bad%20id", "{\"address\":\"a:1\",\"ttlSeconds\":5}"), 400,
                "instance id");
        assertProblem(admin.post(FUNCTIONS, "{\"name\":\"" + "a".repeat(300_000) + "\"}"), 400, "larger");

        assertProblem(admin.get(FUNCTIONS + "/" + fid + "/versions/00000000-0000-0000-0000-000000000000"), 404,
                "has no version");
        assertProblem(admin.get("/v1/keys/00000000-0000-0000-0000-000000000000"), 404, "does not exist");
        assertThat(admin.get(deployment).json()).isEqualTo(before.json());
    }

    @Test
    void inputIsStrictAndProblemsSpeakTheRequestsLanguage() {
        Response created = register("{\"name\":\"strict\"}");
        String fid = created.at("/function/id");
        String vid = created.at("/function/versionId");
        String version = FUNCTIONS + "/" + fid + "/versions/" + vid;

        assertProblem(admin.post(FUNCTIONS, "{\"name\":5}"), 400, "field 'name' must be a string");
        assertProblem(admin.post(FUNCTIONS, "{\"name\":\"x\",\"maxRequestConcurrency\":1.5}"), 400,
                "field 'maxRequestConcurrency' must be a whole number");
        assertProblem(admin.post(FUNCTIONS, "{\"name\":\"x\",\"maxRequestConcurrency\":\"3\"}"), 400,
                "field 'maxRequestConcurrency' must be a whole number");
        assertProblem(admin.post(FUNCTIONS, "{\"name\":\"x\",\"name\":\"y\"}"), 400, "Duplicate");
        assertProblem(admin.post(FUNCTIONS, "{\"name\":\"x\",\"maxRequestConcurrency\":99999999999}"), 400,
                "field 'maxRequestConcurrency' is out of range for a whole number");
        assertProblem(admin.put(version, "{\"health\":{\"protocol\":\"SOAP\"}}"), 400,
                "field 'health.protocol': must be one of GRPC, HTTP, NONE (any case), got 'SOAP'");
        assertProblem(admin.put(version, "{\"status\":1}"), 400, "field 'status' must be one of");
        assertProblem(admin.post("/v1/keys", "{\"name\":\"bell\\u0007\",\"scopes\":[\"list_functions\"]}"), 400,
                "control characters");
        assertProblem(admin.post("/v1/keys", "{\"name\":\"two\\nlines\",\"scopes\":[\"list_functions\"]}"), 400,
                "control characters");
        assertProblem(admin.post("/v1/keys", "{\"name\":\"k\",\"scopes\":[\"list_functions\"],\"functions\":[null]}"),
                400, "field 'functions[0]' must not be null");
        assertProblem(admin.post("/v1/keys", "{\"name\":\"k\",\"scopes\":[\"list_functions\"],"
                + "\"expiresAt\":\"+1000000000-12-31T23:59:59Z\"}"), 400, "expiresAt");
        String grants = String.join(",", Collections.nCopies(1_800, "\"" + fid + "\""));
        assertProblem(admin.post("/v1/keys", "{\"name\":\"k\",\"scopes\":[\"list_functions\"],\"functions\":["
                + grants + "]}"), 400, "at most 100");
        assertProblem(admin.post("/v1/keys", "{\"name\":\"k\",\"scopes\":[\"list_functions\"],\"functions\":[\""
                + fid.substring(1) + "\"]}"), 400, "function restriction");

        assertProblem(admin.get(version.substring(0, version.length() - 1)), 400, "is not a UUID");
        assertProblem(admin.get(FUNCTIONS + "/" + fid.replace("-", "") + "/versions"), 400, "is not a UUID");
        assertProblem(admin.send("PATCH", version, "{}"), 405, "allows");
        assertProblem(admin.get("/v2/nvcf/deployments/functions/versions"), 404, "no admin operation");
        assertProblem(admin.send("POST", FUNCTIONS, null), 400, "body");
        assertThat(admin.get(version).json()).isEqualTo(created.json());
    }

    @Test
    void servesAnOpenApiDescription() {
        Response docs = admin.withKey(null).get("/v3/api-docs");
        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.json().at("/info/title").asString()).isEqualTo("Function Gateway admin API");
        assertThat(docs.json().get("paths").propertyNames()).contains("/v2/nvcf/functions", "/v1/keys",
                "/v2/nvcf/deployments/functions/{functionId}/versions/{versionId}");
    }

    /** What a client generator trips on: the document as an OpenAPI parser reads it, and as generators use it. */
    @Test
    void theApiDescriptionIsValidAndGeneratesCleanClients() {
        String text = admin.withKey(null).get("/v3/api-docs").text();
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(text, null, options);
        assertThat(parsed.getMessages()).isEmpty();
        OpenAPI api = parsed.getOpenAPI();
        assertThat(api.getInfo().getVersion()).matches("\\d+\\.\\d+\\.\\d+.*");

        Set<String> operationIds = new HashSet<>();
        api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
            String name = method + " " + path;
            assertThat(operation.getOperationId()).as(name).matches("[a-z][A-Za-z]+");
            assertThat(operationIds.add(operation.getOperationId())).as("unique operationId " + name).isTrue();
            assertThat(operation.getExtensions()).as(name).containsKey("x-required-scope");
            assertThat(operation.getDescription()).as(name).contains("Requires scope");
            assertThat(operation.getParameters() == null ? List.<String>of()
                    : operation.getParameters().stream().map(p -> p.getName()).toList()).as(name)
                    .doesNotContain("caller");
            for (String code : List.of("401", "403")) {
                assertThat(operation.getResponses().get(code).getContent())
                        .as(name + " " + code).containsKey("application/problem+json");
            }
            if (operation.getRequestBody() != null) {
                assertThat(operation.getResponses()).as(name).containsKey("400");
                operation.getRequestBody().getContent().values()
                        .forEach(media -> assertThat(media.getSchema().get$ref()).as(name + " body").isNotNull());
            }
            assertThat(operation.getResponses().keySet()).as(name + " answers success")
                    .anyMatch(code -> code.startsWith("2"));
            operation.getResponses().forEach((code, response) -> {
                if (response.getContent() != null) {
                    response.getContent().values().forEach(media -> assertThat(media.getSchema().get$ref())
                            .as(name + " " + code + " is a named schema").isNotNull());
                }
            });
        }));
        assertThat(operationIds).hasSizeGreaterThanOrEqualTo(18);

        Map<String, Schema> schemas = api.getComponents().getSchemas();
        schemas.forEach((schemaName, schema) -> {
            if (schema.getProperties() != null) {
                schema.getProperties().forEach((property, value) -> assertThat(((Schema<?>) value).getProperties())
                        .as(schemaName + "." + property + " is not an anonymous inline object").isNull());
            }
        });
        JsonNode tree = admin.withKey(null).get("/v3/api-docs").json();
        assertThat(tree.findValuesAsString("$ref")).allSatisfy(ref -> assertThat(schemas)
                .containsKey(ref.substring("#/components/schemas/".length())));
        assertThat(schemas.get("FunctionRequest").getRequired()).contains("name");
        assertThat(schemas.get("KeyRequest").getRequired()).contains("name", "scopes");
        assertThat(schemas.get("DeploymentRequest").getRequired()).contains("endpoints");
    }

    Response register(String body) {
        Response response = admin.post(FUNCTIONS, body);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response;
    }

    AdminClient keyWith(String scopesJson, String functionsJson) {
        Response created = admin.post("/v1/keys",
                "{\"name\":\"test\",\"scopes\":" + scopesJson + ",\"functions\":" + functionsJson + "}");
        assertThat(created.status()).as(created.text()).isEqualTo(200);
        return admin.withKey(created.at("/value"));
    }

    static void assertProblem(Response response, int status, String detailPart) {
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        assertThat(response.at("/detail")).contains(detailPart);
        assertThat(response.text()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("java.")
                .doesNotContain("dev.functiongateway").doesNotContain("static resource");
    }
}

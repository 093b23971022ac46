package dev.functiongateway.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.functiongateway.support.AdminClient;
import dev.functiongateway.support.AdminClient.Response;
import dev.functiongateway.support.RunningGateway;
import dev.functiongateway.support.TestWorker;
import dev.functiongateway.test.inference.GRPCInferenceServiceGrpc;
import dev.functiongateway.test.inference.ModelInferRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;

/**
 * One bad endpoint must never stop routing: an address is refused in the form it would be stored, a refused
 * write leaves nothing behind, and a stored row that cannot be used (written by an older release) is skipped and
 * reported while every other function keeps working, also across a restart.
 */
class BadEndpointTest {

    private static final String ADMIN_KEY = "bad-endpoint-admin-key-0123456789";
    private static final String[] BAD = { "[:::::]:1", "[1.]:80", "[]:80", "1.2.3:80", "::1:80", "host_name:80",
            "-host:80", "[::1%eth0]:80", "a..b:80", "256.1.1.1:80", "host:+80", "host:0080x" };

    @ParameterizedTest
    @ValueSource(strings = { "deploy", "heartbeat" })
    void aRefusedAddressLeavesNothingBehindAndRoutingGoesOn(String how) throws Exception {
        try (RunningGateway gateway = RunningGateway.start(h2("bad-endpoint"));
                TestWorker worker = new TestWorker("good")) {
            AdminClient admin = gateway.admin(ADMIN_KEY);
            String[] first = register(admin);
            Response deployed = admin.post(path(first), "{\"endpoints\":[\"" + worker.address() + "\"]}");
            assertThat(deployed.status()).as(deployed.text()).isEqualTo(200);

            for (String bad : BAD) {
                Response refused = how.equals("deploy")
                        ? admin.post(path(first), "{\"endpoints\":[\"" + worker.address() + "\",\"" + bad + "\"]}")
                        : admin.put(path(first) + "/instances/i-1", "{\"address\":\"" + bad + "\",\"ttlSeconds\":60}");
                assertThat(refused.status()).as(bad + ": " + refused.text()).isEqualTo(400);
            }
            assertThat(admin.get(path(first)).json().at("/deployment/instances").findValuesAsString("address"))
                    .as("nothing was stored").containsExactly(worker.address());

            // A function deployed after the refusals is routed at once.
            String[] second = register(admin);
            assertThat(admin.post(path(second), "{\"endpoints\":[\"" + worker.address() + "\"]}").status())
                    .isEqualTo(200);
            assertThat(modelName(gateway, second[0])).isEqualTo("good");
            assertThat(modelName(gateway, first[0])).isEqualTo("good");
        }
    }

    @Test
    void aStoredRowThatCannotBeUsedIsSkippedAndReportedAndStartUpGoesOn() throws Exception {
        Map<String, String> properties = h2("bad-row");
        String[] good;
        String[] broken;
        try (RunningGateway gateway = RunningGateway.start(properties)) {
            AdminClient admin = gateway.admin(ADMIN_KEY);
            good = register(admin);
            broken = register(admin);
        }
        // What an older release let through, written behind the gateway's back.
        try (Connection db = DriverManager.getConnection(properties.get("spring.datasource.url"), "sa", "");
                PreparedStatement insert = db.prepareStatement("insert into function_instances"
                        + " (version_id, id, address, use_tls, registered_at) values (?, ?, ?, false, ?)")) {
            for (String address : new String[] { "[:::::]:1", "1.:80" }) {
                insert.setObject(1, UUID.fromString(broken[1]));
                insert.setString(2, "old-" + address.length());
                insert.setString(3, address);
                insert.setObject(4, OffsetDateTime.now());
                insert.executeUpdate();
            }
        }

        try (RunningGateway gateway = RunningGateway.start(properties); TestWorker worker = new TestWorker("w")) {
            AdminClient admin = gateway.admin(ADMIN_KEY);
            assertThat(admin.post(path(good), "{\"endpoints\":[\"" + worker.address() + "\"]}").status())
                    .isEqualTo(200);
            assertThat(modelName(gateway, good[0])).isEqualTo("w");
            Response view = admin.get(path(broken));
            assertThat(view.status()).as(view.text()).isEqualTo(200);
            assertThat(view.json().at("/deployment/unusableInstances").findValuesAsString("address")).as(view.text())
                    .containsExactlyInAnyOrder("[:::::]:1", "1.:80");
            assertThat(view.json().at("/deployment/instances")).isEmpty();
            assertThat(gateway.bean(io.micrometer.core.instrument.MeterRegistry.class)
                    .get("gateway.registry.instances.unusable").gauge().value()).isEqualTo(2.0);
            Response ready = gateway.management().get("/actuator/health/readiness");
            assertThat(ready.status()).as(ready.text()).isEqualTo(200);
        }
    }

    @Test
    void aDeploymentListsAtMostTheConfiguredNumberOfEndpoints() {
        Map<String, String> properties = new java.util.HashMap<>(h2("endpoint-cap"));
        properties.put("gateway.registry.max-endpoints-per-deployment", "3");
        try (RunningGateway gateway = RunningGateway.start(properties)) {
            AdminClient admin = gateway.admin(ADMIN_KEY);
            String[] fn = register(admin);
            assertThat(admin.post(path(fn), endpoints(3)).status()).isEqualTo(200);
            Response refused = admin.post(path(fn), endpoints(4));
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.text()).contains("at most 3");
            assertThat(admin.get(path(fn)).json().at("/deployment/instances")).hasSize(3);
        }
    }

    private static String endpoints(int count) {
        return IntStream.range(0, count).mapToObj(i -> "\"127.0.0.1:" + (7001 + i) + "\"")
                .collect(Collectors.joining(",", "{\"endpoints\":[", "]}"));
    }

    private static Map<String, String> h2(String name) {
        return Map.of("spring.datasource.url", "jdbc:h2:file:./target/test-data/" + name + "-" + UUID.randomUUID(),
                "gateway.auth.bootstrap-admin-key", ADMIN_KEY, "gateway.routing.health-interval", "200ms",
                "gateway.proxy.drain-time", "1s");
    }

    /** Registers a gRPC function; returns its id and version id. */
    private static String[] register(AdminClient admin) {
        Response created = admin.post("/v2/nvcf/functions", "{\"name\":\"fn\",\"inferenceProtocol\":\"GRPC\"}");
        return new String[] { created.at("/function/id"), created.at("/function/versionId") };
    }

    private static String path(String[] fn) {
        return "/v2/nvcf/deployments/functions/" + fn[0] + "/versions/" + fn[1];
    }

    /** Calls ModelInfer on the function through the gateway, once it is routable; returns the worker's name. */
    private static String modelName(RunningGateway gateway, String functionId) throws Exception {
        Metadata md = new Metadata();
        md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + ADMIN_KEY);
        md.put(Metadata.Key.of("function-id", Metadata.ASCII_STRING_MARSHALLER), functionId);
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort()).usePlaintext().build();
        try {
            var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
            return await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> stub
                    .withDeadlineAfter(2, TimeUnit.SECONDS)
                    .modelInfer(ModelInferRequest.newBuilder().setModelName("m").build()).getModelName(),
                    name -> name != null);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}

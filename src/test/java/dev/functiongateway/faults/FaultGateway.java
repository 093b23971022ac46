package dev.functiongateway.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.functiongateway.support.AdminClient;
import dev.functiongateway.support.AdminClient.Response;
import dev.functiongateway.support.Deployments;
import dev.functiongateway.support.Deployments.Deployed;
import dev.functiongateway.support.RunningGateway;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;

/**
 * What the fault tests share: a whole gateway's settings for quick detection (registry refresh every 500 ms,
 * worker health every 200 ms, a 2 s drain), and deploying and calling functions through it as a user would.
 */
final class FaultGateway {

    static final String ADMIN_KEY = "faults-admin-key-0123456789";

    private FaultGateway() {
    }

    /** The fault tests' settings on top of {@code store} (a datasource's properties). */
    static Map<String, String> properties(Map<String, String> store) {
        Map<String, String> properties = new HashMap<>(store);
        properties.put("gateway.auth.bootstrap-admin-key", ADMIN_KEY);
        properties.put("gateway.registry.refresh-interval", "500ms");
        properties.put("gateway.routing.health-interval", "200ms");
        properties.put("gateway.routing.unhealthy-threshold", "1");
        properties.put("gateway.proxy.drain-time", "2s");
        return properties;
    }

    static String invokeKey(AdminClient admin) {
        Response created = admin.post("/v1/keys", "{\"name\":\"faults\",\"scopes\":[\"invoke_function\"]}");
        assertThat(created.status()).as(created.text()).isEqualTo(200);
        return created.at("/value");
    }

    /**
     * Registers a gRPC function (checked by gRPC health, or not at all with {@code healthChecked} false) on these
     * worker addresses; a checked one is awaited until ACTIVE.
     */
    static Deployed deploy(AdminClient admin, boolean healthChecked, String... addresses) {
        Deployed d = Deployments.register(admin, "{\"name\":\"fault\",\"inferenceProtocol\":\"GRPC\""
                + (healthChecked ? "" : ",\"health\":{\"protocol\":\"NONE\"}") + "}");
        Response deployed = admin.post(d.path(), "{\"endpoints\":["
                + Arrays.stream(addresses).map(a -> "\"" + a + "\"").collect(Collectors.joining(",")) + "]}");
        assertThat(deployed.status()).as(deployed.text()).isEqualTo(200);
        if (healthChecked) {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> "ACTIVE".equals(admin.get(d.versionPath()).at("/function/status")));
        }
        return d;
    }

    /** A new plaintext client connection to a gateway's gRPC listener. */
    static ManagedChannel connection(int grpcPort) {
        return NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext()
                .maxInboundMessageSize(Integer.MAX_VALUE).build();
    }

    static void close(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** The stub with the key and function id as the seed's metadata. */
    static <S extends AbstractStub<S>> S calling(S stub, String key, Deployed d) {
        Metadata md = new Metadata();
        md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
        md.put(Metadata.Key.of("function-id", Metadata.ASCII_STRING_MARSHALLER), d.functionId());
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }

    /** Starts a gateway with an H2 file database of its own. */
    static RunningGateway startOnH2(String name, Map<String, String> extra) {
        Map<String, String> properties = properties(Map.of("spring.datasource.url",
                "jdbc:h2:file:./target/test-data/faults-" + name + "-" + java.util.UUID.randomUUID()));
        properties.putAll(extra);
        return RunningGateway.start(properties);
    }
}

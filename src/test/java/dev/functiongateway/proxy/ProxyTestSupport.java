package dev.functiongateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.functiongateway.support.AdminClient;
import dev.functiongateway.support.AdminClient.Response;
import dev.functiongateway.support.Deployments;
import dev.functiongateway.support.Deployments.Deployed;
import dev.functiongateway.support.TestWorker;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;

/** A started gateway, real workers on loopback, and helpers to deploy functions and call them through it. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gateway.proxy.port=0",
        "spring.datasource.url=jdbc:h2:file:./target/test-data/proxy-${random.uuid}",
        "gateway.auth.bootstrap-admin-key=" + ProxyTestSupport.ADMIN_KEY,
        "gateway.registry.refresh-interval=500ms",
        "gateway.routing.health-interval=200ms",
        "gateway.routing.unhealthy-threshold=1",
        "gateway.routing.queue-max-wait=2s",
        // Cached contexts close one after another at JVM exit; bound each one's wait for the listener.
        "gateway.proxy.drain-time=2s" })
abstract class ProxyTestSupport {

    static final String ADMIN_KEY = "proxy-admin-key-0123456789";
    static final Metadata.Key<String> REQUEST_ID = Metadata.Key.of("nvcf-reqid", Metadata.ASCII_STRING_MARSHALLER);

    @LocalServerPort
    int httpPort;

    @Value("${local.gateway.proxy.port}")
    int grpcPort;

    @Value("${local.management.port}")
    int managementPort;

    AdminClient admin;
    /** Actuator, on the management port; it needs no key. */
    AdminClient management;
    String invokeKey;
    final List<AutoCloseable> closeAfter = new ArrayList<>();
    final List<Deployed> deployed = new ArrayList<>();

    @BeforeEach
    void setUpClients() {
        admin = new AdminClient(httpPort, ADMIN_KEY);
        management = new AdminClient(managementPort, null);
        invokeKey = createKey("[\"invoke_function\"]", "[]");
    }

    /**
     * Undeploys what the test deployed, so the cached context stops health-checking workers that are gone (their
     * ports may be reused by another context's listener), then closes connections and workers.
     */
    @AfterEach
    void closeAll() throws Exception {
        deployed.forEach(d -> admin.delete(d.path()));
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
    }

    TestWorker worker(String name) {
        TestWorker worker = new TestWorker(name);
        closeAfter.add(worker);
        return worker;
    }

    String createKey(String scopes, String functions) {
        Response created = admin.post("/v1/keys", "{\"name\":\"proxy-test\",\"scopes\":" + scopes
                + ",\"functions\":" + functions + "}");
        assertThat(created.status()).as(created.text()).isEqualTo(200);
        return created.at("/value");
    }

    /** Registers a gRPC function checked by gRPC health, deploys it to the workers, waits until it is ACTIVE. */
    Deployed deploy(int maxRequestConcurrency, TestWorker... workers) {
        return deploy(maxRequestConcurrency, false, workers);
    }

    Deployed deploy(int maxRequestConcurrency, boolean tls, TestWorker... workers) {
        Deployed d = Deployments.register(admin, "{\"name\":\"fn\",\"inferenceProtocol\":\"GRPC\"}");
        Response response = admin.post(d.path(), "{\"endpoints\":["
                + Arrays.stream(workers).map(w -> "\"" + w.address() + "\"").collect(Collectors.joining(","))
                + "],\"tls\":" + tls + ",\"maxRequestConcurrency\":" + maxRequestConcurrency + "}");
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        deployed.add(d);
        awaitStatus(d, "ACTIVE");
        return d;
    }

    void awaitStatus(Deployed d, String status) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> status.equals(
                admin.get(d.versionPath()).at("/function/status")));
    }

    /** A new plaintext client connection to the gateway's gRPC listener. */
    ManagedChannel connection() {
        return closeLater(NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext()
                .maxInboundMessageSize(Integer.MAX_VALUE).build());
    }

    ManagedChannel closeLater(ManagedChannel channel) {
        closeAfter.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        return channel;
    }

    /**
     * Runs a Python gRPC client (Debian's python3 with grpcio, as the seed's examples use) with the gateway's gRPC
     * port, a function id and a key as its arguments, and returns what it printed, stdout and stderr together.
     */
    String grpcioClient(String script, Deployed d, String key) throws IOException, InterruptedException {
        Process client = new ProcessBuilder("/usr/bin/python3", "-c", script, String.valueOf(grpcPort),
                d.functionId(), key).redirectErrorStream(true).start();
        assertThat(client.waitFor(60, TimeUnit.SECONDS)).as("the Python client ended").isTrue();
        return new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** The seed's three metadata keys; a null value leaves that key out. */
    static Metadata metadata(String key, String functionId, String versionId) {
        Metadata md = new Metadata();
        if (key != null) {
            md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
        }
        if (functionId != null) {
            md.put(Metadata.Key.of("function-id", Metadata.ASCII_STRING_MARSHALLER), functionId);
        }
        if (versionId != null) {
            md.put(Metadata.Key.of("function-version-id", Metadata.ASCII_STRING_MARSHALLER), versionId);
        }
        return md;
    }

    static <S extends AbstractStub<S>> S with(S stub, Metadata md) {
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }
}

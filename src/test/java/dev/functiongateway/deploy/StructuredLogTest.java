package dev.functiongateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.functiongateway.support.TestWorker;
import dev.functiongateway.test.inference.GRPCInferenceServiceGrpc;
import dev.functiongateway.test.inference.ModelInferRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code logging.structured.format.console=ecs}, in a gateway JVM of its own (so this JVM's logging, which other
 * tests read, stays as it is): every console line is JSON, start-up has no warning, and the access line's fields
 * are valid Elastic Common Schema, where {@code client} is an object, {@code event.duration} nanoseconds and the
 * gateway's own facts are {@code labels}.
 */
class StructuredLogTest {

    private static final String ADMIN_KEY = "ecs-admin-key-0123456789";
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path workDir;

    @Test
    void accessLinesAreValidEcsAndStartUpHasNoWarning() throws Exception {
        try (TestWorker worker = new TestWorker("ecs");
                GatewayProcess gateway = new GatewayProcess(workDir, "--logging.structured.format.console=ecs",
                        "--gateway.auth.bootstrap-admin-key=" + ADMIN_KEY, "--gateway.routing.health-interval=200ms",
                        // The shipped default (the tests' properties set 0): the line comes through the buffer's
                        // timer, encoded by the console's ECS encoder.
                        "--gateway.observability.access-log-flush-interval=1s")) {
            GatewayProcess.Deployed deployed = gateway.deploy("ecs", worker.address(), ADMIN_KEY);
            String functionId = deployed.functionId();
            String versionId = deployed.versionId();
            String key = deployed.key();

            Metadata metadata = deployed.metadata();
            metadata.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER),
                    "00-" + TRACE_ID + "-00f067aa0ba902b7-01");
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort).usePlaintext().build();
            try {
                GRPCInferenceServiceGrpc.newBlockingStub(channel)
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata))
                        .modelInfer(ModelInferRequest.newBuilder().setModelName("m").build());
            } finally {
                channel.shutdownNow();
            }

            JsonNode access = await().atMost(Duration.ofSeconds(10)).until(() -> accessLine(gateway), a -> a != null);
            assertThat(access.at("/client").isObject()).as(access.toString()).isTrue();
            assertThat(access.at("/client/address").asString()).isEqualTo("127.0.0.1");
            assertThat(access.at("/client/port").isIntegralNumber()).isTrue();
            assertThat(access.at("/client/bytes").isIntegralNumber()).isTrue();
            assertThat(access.at("/server/bytes").isIntegralNumber()).isTrue();
            assertThat(access.at("/trace/id").asString()).isEqualTo(TRACE_ID);
            assertThat(access.at("/event/outcome").asString()).isEqualTo("success");
            assertThat(access.at("/labels/function_id").asString()).isEqualTo(functionId);
            assertThat(access.at("/labels/function_version_id").asString()).isEqualTo(versionId);
            assertThat(access.at("/labels/grpc_method").asString()).isEqualTo("inference.GRPCInferenceService/ModelInfer");
            assertThat(access.at("/labels/grpc_status").asString()).isEqualTo("OK");
            assertThat(UUID.fromString(access.at("/labels/nvcf_reqid").asString())).isNotNull();
            assertThat(UUID.fromString(access.at("/labels/key_id").asString())).isNotNull();
            assertThat(access.toString()).doesNotContain(key);
            // event.duration is in nanoseconds: the same duration as the message's milliseconds.
            JsonNode duration = access.at("/event/duration");
            assertThat(duration.isIntegralNumber()).isTrue();
            Matcher millis = Pattern.compile("duration_ms=(\\d+)").matcher(access.at("/message").asString());
            assertThat(millis.find()).isTrue();
            assertThat(duration.asLong() / 1_000_000).isEqualTo(Long.parseLong(millis.group(1)));

            List<JsonNode> startUp = new ArrayList<>();
            for (String line : gateway.output) {
                JsonNode event = JSON.readTree(line);
                startUp.add(event);
                if (event.at("/message").asString().startsWith("Started ")) {
                    break;
                }
            }
            assertThat(startUp).as("start-up lines").isNotEmpty()
                    .allMatch(event -> event.at("/log/level").asString().equals("INFO"));
        }
    }

    /** The access log's JSON line, or null while there is none; every line before it must be JSON too. */
    private static JsonNode accessLine(GatewayProcess gateway) {
        for (String line : gateway.output) {
            JsonNode event = JSON.readTree(line);
            if ("dev.functiongateway.access".equals(event.at("/log/logger").asString(null))) {
                return event;
            }
        }
        return null;
    }
}

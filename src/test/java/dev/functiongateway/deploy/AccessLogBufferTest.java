package dev.functiongateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.functiongateway.support.AdminClient;
import dev.functiongateway.support.TestWorker;
import dev.functiongateway.test.inference.GRPCInferenceServiceGrpc;
import dev.functiongateway.test.inference.ModelInferRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;

/**
 * Access lines on the console wait in their buffer ({@code access-log-flush-interval}) until a batch is full, and
 * none is lost when the gateway stops: a gateway JVM of its own, stopped with SIGTERM as an orchestrator stops it.
 */
class AccessLogBufferTest {

    private static final String ADMIN_KEY = "buffer-admin-key-0123456789";
    private static final int CALLS = 20;
    /** Lines of ~500 bytes: more than two 32 KiB batches. */
    private static final int MORE_CALLS = 200;

    @TempDir
    Path workDir;

    @Test
    void linesStillInTheBufferAreWrittenWholeAtShutdown() throws Exception {
        try (TestWorker worker = new TestWorker("buffered")) {
            GatewayProcess gateway = new GatewayProcess(workDir, "--gateway.auth.bootstrap-admin-key=" + ADMIN_KEY,
                    "--gateway.routing.health-interval=200ms",
                    // Longer than the test: only a full buffer or the shutdown writes the lines.
                    "--gateway.observability.access-log-flush-interval=1h");
            GatewayProcess.Deployed deployed;
            try (gateway) {
                deployed = gateway.deploy("buffered", worker.address(), ADMIN_KEY);
                ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort).usePlaintext()
                        .build();
                try {
                    var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel)
                            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(deployed.metadata()));
                    for (int i = 0; i < CALLS; i++) {
                        stub.modelInfer(ModelInferRequest.newBuilder().setModelName("m").build());
                    }
                    // The calls are over (counted in the metrics, which are recorded just before the access line),
                    // and their lines are still waiting.
                    AdminClient management = new AdminClient(gateway.managementPort, null);
                    await().atMost(Duration.ofSeconds(10)).until(() -> management.get("/actuator/prometheus").text(),
                            text -> Pattern.compile("gateway_grpc_calls_seconds_count\\{code=\"OK\",[^}]*\\} "
                                    + CALLS).matcher(text).find());
                    assertThat(gateway.output).noneMatch(line -> line.contains("dev.functiongateway.access"));

                    // Full batches go out without waiting for the interval; the last one, not full, still waits.
                    for (int i = 0; i < MORE_CALLS; i++) {
                        stub.modelInfer(ModelInferRequest.newBuilder().setModelName("m").build());
                    }
                    await().atMost(Duration.ofSeconds(10)).until(() -> accessLines(gateway).size(),
                            written -> written > CALLS);
                    assertThat(accessLines(gateway)).hasSizeLessThan(CALLS + MORE_CALLS);
                } finally {
                    channel.shutdownNow();
                }
            }

            // The console's layout, as on every other line (the pattern's constant parts are worked out once for
            // access lines): date, level, pid, application name, thread in 15 columns, logger in 40.
            Pattern whole = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)"
                    + "  INFO \\d+"
                    + " --- \\[function-gateway\\] \\[[ \\w-]{15}\\] dev\\.functiongateway\\.access {15}: grpc"
                    + " nvcf-reqid=[0-9a-f-]{36}"
                    + " client=/127\\.0\\.0\\.1:\\d+ function=" + deployed.functionId() + " version="
                    + deployed.versionId() + " method=inference\\.GRPCInferenceService/ModelInfer status=OK"
                    + " duration_ms=\\d+ request_bytes=\\d+ response_bytes=\\d+ key_id=[0-9a-f-]{36} trace_id=-");
            // The process has exited; its last output may still be on its way through the pipe.
            List<String> lines = await().atMost(Duration.ofSeconds(10)).until(() -> accessLines(gateway),
                    access -> access.size() >= CALLS + MORE_CALLS);
            assertThat(lines).hasSize(CALLS + MORE_CALLS).allMatch(line -> whole.matcher(line).matches());
        }
    }

    private static List<String> accessLines(GatewayProcess gateway) {
        return gateway.output.stream().filter(line -> line.contains("dev.functiongateway.access")).toList();
    }
}

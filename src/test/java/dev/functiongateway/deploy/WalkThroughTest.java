package dev.functiongateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's walk-through, as a newcomer runs it: the gateway started with its built-in configuration in a
 * fresh directory, the example worker started with its one documented command, then the README's block run
 * by bash with curl and the example client, unchanged but for the ports (random here, so that test runs on one
 * machine cannot collide). Also the start-up output of that default configuration: no warning, no wall of lines.
 */
class WalkThroughTest {

    private static final Path REPOSITORY = Path.of("").toAbsolutePath();
    /** Debian's python3, where python3-grpcio lives (a python3 earlier on PATH may lack it). */
    private static final String PYTHON_DIR = "/usr/bin";
    private static final Pattern BLOCK = Pattern.compile(
            "<!-- walk-through:[^>]*-->\\s*```sh\\n(.*?)```", Pattern.DOTALL);
    /** Start-up lines at INFO: version, ports, migrations and the like; a dozen at most. */
    private static final int MAX_START_UP_LINES = 12;

    @TempDir
    Path workDir;

    @Test
    void theReadmeWalkThroughRunsAsWrittenAndTheExampleClientGetsItsEcho() throws Exception {
        String block = walkThroughBlock();
        Files.copy(REPOSITORY.resolve("application.yml"), workDir.resolve("application.yml"));
        Files.createSymbolicLink(workDir.resolve("examples"), REPOSITORY.resolve("examples"));

        int workerPort = GatewayProcess.freePort();
        Process worker = new ProcessBuilder(PYTHON_DIR + "/python3", "examples/echo_worker.py", "--port",
                String.valueOf(workerPort)).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(workDir.resolve("worker.log").toFile()).start();
        try (GatewayProcess gateway = new GatewayProcess(workDir)) {
            List<String> startUp = gateway.startUpLines();
            assertThat(startUp).as("start-up on the default configuration")
                    .noneMatch(line -> line.contains(" WARN ") || line.contains(" ERROR "))
                    .hasSizeLessThanOrEqualTo(MAX_START_UP_LINES);
            assertThat(String.join("\n", startUp)).contains("data/admin-key");

            String script = block.replace("localhost:8080", "127.0.0.1:" + gateway.httpPort)
                    .replace("localhost:8081", "127.0.0.1:" + gateway.managementPort)
                    .replace("127.0.0.1:9001", "127.0.0.1:" + workerPort);
            ProcessBuilder bash = new ProcessBuilder("bash", "-euo", "pipefail", "-c", script)
                    .directory(workDir.toFile()).redirectErrorStream(true);
            bash.environment().put("PATH", PYTHON_DIR + ":" + bash.environment().getOrDefault("PATH", "/bin"));
            bash.environment().put("GRPC_GATEWAY_ADDR", "127.0.0.1");
            bash.environment().put("GRPC_GATEWAY_PORT", String.valueOf(gateway.grpcPort));
            Process run = bash.start();
            String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(run.exitValue()).as(output).isZero();

            assertThat(output).containsPattern("nvcf-reqid: [0-9a-f-]{36}")
                    .contains("output text (BYTES, shape [1]): hello, function")
                    .containsPattern("gateway_grpc_calls_seconds_count\\{code=\"OK\",.*"
                            + "method=\"inference.GRPCInferenceService/ModelInfer\"\\} 1");
            // Access lines reach the console in batches, within access-log-flush-interval (1 s).
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    String.join("\n", gateway.output)).containsPattern(
                    "grpc nvcf-reqid=\\S+ client=/127.0.0.1:\\d+ .*method=inference.GRPCInferenceService/ModelInfer"
                            + " status=OK"));
            assertThat(Files.readString(workDir.resolve("worker.log"))).contains("echo worker listening on")
                    .containsPattern("ModelInfer model='echo' id='request-1' nvcf-reqid=[0-9a-f-]{36}");
        } finally {
            worker.destroy();
            worker.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The block the README marks as the walk-through, with the addresses the test replaces in it. */
    private static String walkThroughBlock() throws IOException {
        Matcher block = BLOCK.matcher(Files.readString(REPOSITORY.resolve("README.md")));
        assertThat(block.find()).as("README.md marks its walk-through block").isTrue();
        assertThat(block.group(1)).contains("localhost:8080", "localhost:8081", "127.0.0.1:9001",
                "python3 examples/client.py");
        return block.group(1);
    }
}

package dev.functiongateway.deploy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

import dev.functiongateway.FunctionGatewayApplication;
import dev.functiongateway.support.AdminClient;
import dev.functiongateway.support.Deployments;
import io.grpc.Metadata;

/**
 * The gateway as an operator runs it: a JVM of its own, in a working directory of its own, with the built-in
 * configuration and nothing but ports (and any extra arguments) on its command line. Its console output is
 * kept line by line, so tests can read start-up and log lines exactly as printed. Close it to stop it
 * (SIGTERM, then kill after 30 s).
 */
final class GatewayProcess implements AutoCloseable {

    private static final Duration START_LIMIT = Duration.ofSeconds(90);

    /** Starts that fail because a chosen port was taken meanwhile are tried again on new ports, this often. */
    private static final int START_ATTEMPTS = 3;

    final int httpPort;
    final int grpcPort;
    final int managementPort;
    final List<String> output = new CopyOnWriteArrayList<>();
    private final Process process;

    /**
     * Starts the gateway in {@code workDir} and waits until it reports ready. Its ports are picked free here and
     * bound by the gateway a moment later; another process (any outgoing connection takes such ports too) can
     * take one in between, and then the start is tried again on new ports.
     */
    GatewayProcess(Path workDir, String... extraArgs) throws IOException, InterruptedException {
        for (int attempt = 1;; attempt++) {
            int http = freePort();
            int grpc = freePort();
            int management = freePort();
            output.clear();
            Process started = start(workDir, http, grpc, management, extraArgs);
            try {
                awaitReady(started, management);
            } catch (AssertionError e) {
                if (attempt < START_ATTEMPTS && output.stream().anyMatch(l -> l.contains("Address already in use"))) {
                    continue;
                }
                throw e;
            }
            httpPort = http;
            grpcPort = grpc;
            managementPort = management;
            process = started;
            return;
        }
    }

    private Process start(Path workDir, int http, int grpc, int management, String... extraArgs) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Dreactor.netty.ioShutdownQuietPeriod=0",
                FunctionGatewayApplication.class.getName(),
                "--server.port=" + http, "--gateway.proxy.port=" + grpc,
                "--management.server.port=" + management,
                // A short drain, so that closing does not wait 30 s for idle connections.
                "--gateway.proxy.drain-time=1s"));
        command.addAll(List.of(extraArgs));
        Process started = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
                lines.lines().forEach(output::add);
            } catch (IOException | UncheckedIOException e) {
                // The process ended.
            }
        }, "gateway-process-output");
        reader.setDaemon(true);
        reader.start();
        return started;
    }

    private void awaitReady(Process started, int management) throws InterruptedException {
        AdminClient actuator = new AdminClient(management, null);
        try {
            Awaitility.await().atMost(START_LIMIT).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .failFast("the gateway exited", () -> !started.isAlive())
                    .until(() -> actuator.get("/actuator/health/readiness").status() == 200);
        } catch (RuntimeException | Error e) {
            started.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("the gateway did not get ready; its output:\n" + String.join("\n", output), e);
        }
    }

    /** A function deployed on one worker, and an invocation key for it. */
    record Deployed(String functionId, String versionId, String key) {

        /** The metadata a client of this function sends: its key and the function id. */
        Metadata metadata() {
            Metadata metadata = new Metadata();
            metadata.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
            metadata.put(Metadata.Key.of("function-id", Metadata.ASCII_STRING_MARSHALLER), functionId);
            return metadata;
        }
    }

    /**
     * Creates a function named {@code name} on the worker at {@code workerAddress} through the admin API (with
     * {@code adminKey}), waits until it is active and creates an invocation key.
     */
    Deployed deploy(String name, String workerAddress, String adminKey) {
        AdminClient admin = new AdminClient(httpPort, adminKey);
        Deployments.Deployed deployed = Deployments.deploy(admin, "{\"name\":\"" + name + "\"}", 8, workerAddress);
        String key = admin.post("/v1/keys", "{\"name\":\"c\",\"scopes\":[\"invoke_function\"]}").at("/value");
        return new Deployed(deployed.functionId(), deployed.versionId(), key);
    }

    /** Console lines up to and including Spring Boot's "Started ..." line. */
    List<String> startUpLines() {
        List<String> lines = new ArrayList<>();
        for (String line : output) {
            lines.add(line);
            if (line.contains("Started FunctionGatewayApplication")) {
                return lines;
            }
        }
        throw new AssertionError("no start-up line in:\n" + String.join("\n", output));
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        // SIGTERM through the process handle: Process.destroy() also closes our end of its output, and what it
        // prints while it stops would be lost.
        process.toHandle().destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}

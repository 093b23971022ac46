package dev.functiongateway.faults;

import static dev.functiongateway.faults.FaultGateway.calling;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;

import dev.functiongateway.support.Deployments.Deployed;
import dev.functiongateway.support.AdminClient;
import dev.functiongateway.support.TestWorker;
import dev.functiongateway.test.inference.GRPCInferenceServiceGrpc;
import dev.functiongateway.test.inference.ModelInferRequest;
import dev.functiongateway.test.inference.ModelInferResponse;
import dev.functiongateway.test.inference.ModelStreamInferResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * The soak load for {@code scripts/soak.sh}, against a gateway started apart from it: an echo worker of its own
 * (a grpc-java {@link TestWorker} on 127.0.0.1), one function on it, then unary calls and bidi streams (10
 * messages each) at fixed rates over a few client connections for the given time. It prints calls by status,
 * heap used and live threads of the gateway at start, middle and end (from its actuator), and the gateway's
 * active connections and sessions after the clients have gone. Exit status 0 only when no call failed and both
 * gauges are back to zero.
 *
 * <p>The admin key comes in the environment variable {@code SOAK_ADMIN_KEY}, kept off command lines. Other
 * settings are system properties: {@code soak.http-port}, {@code soak.management-port}, {@code soak.grpc-port},
 * {@code soak.duration-seconds} (600), {@code soak.unary-per-second} (50),
 * {@code soak.streams-per-second} (5), {@code soak.connections} (8), {@code soak.gateway-pid} (none).
 */
public final class Soak {

    private static final int STREAM_MESSAGES = 10;
    /** Calls in flight at most; a call over it counts as failed (the gateway is not keeping up). */
    private static final int MAX_IN_FLIGHT = 2000;

    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final AdminClient management;

    private Soak(AdminClient management) {
        this.management = management;
    }

    public static void main(String[] args) throws Exception {
        int httpPort = Integer.getInteger("soak.http-port", 8080);
        int managementPort = Integer.getInteger("soak.management-port", httpPort);
        int grpcPort = Integer.getInteger("soak.grpc-port", 10081);
        String adminKey = System.getenv("SOAK_ADMIN_KEY");
        Duration duration = Duration.ofSeconds(Long.getLong("soak.duration-seconds", 600));
        int unaryRate = Integer.getInteger("soak.unary-per-second", 50);
        int streamRate = Integer.getInteger("soak.streams-per-second", 5);
        int connections = Integer.getInteger("soak.connections", 8);

        Soak soak = new Soak(new AdminClient(managementPort, adminKey));
        boolean passed;
        try (TestWorker worker = new TestWorker("soak")) {
            AdminClient admin = new AdminClient(httpPort, adminKey);
            String key = FaultGateway.invokeKey(admin);
            Deployed d = FaultGateway.deploy(admin, true, worker.address());
            passed = soak.run(grpcPort, key, d, duration, unaryRate, streamRate, connections);
        }
        System.exit(passed ? 0 : 1);
    }

    private boolean run(int grpcPort, String key, Deployed d, Duration duration, int unaryRate, int streamRate,
            int connectionCount) throws Exception {
        List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < connectionCount; i++) {
            channels.add(FaultGateway.connection(grpcPort));
        }
        List<String> samples = new ArrayList<>();
        samples.add(sample("start"));
        AtomicInteger next = new AtomicInteger();
        ScheduledExecutorService load = Executors.newScheduledThreadPool(2);
        load.scheduleAtFixedRate(() -> unary(channels.get(next.getAndIncrement() % connectionCount), key, d), 0,
                1_000_000 / unaryRate, TimeUnit.MICROSECONDS);
        load.scheduleAtFixedRate(() -> stream(channels.get(next.getAndIncrement() % connectionCount), key, d), 0,
                1_000_000 / streamRate, TimeUnit.MICROSECONDS);
        Thread.sleep(duration.toMillis() / 2);
        samples.add(sample("middle"));
        Thread.sleep(duration.toMillis() - duration.toMillis() / 2);
        load.shutdown();
        load.awaitTermination(10, TimeUnit.SECONDS);
        boolean drained = inFlight.tryAcquire(MAX_IN_FLIGHT, 60, TimeUnit.SECONDS);
        for (ManagedChannel channel : channels) {
            FaultGateway.close(channel);
        }
        long[] gauges = awaitIdle();
        samples.add(sample("end"));

        Map<String, Long> byStatus = new TreeMap<>();
        outcomes.forEach((outcome, count) -> byStatus.put(outcome, count.sum()));
        long failed = byStatus.entrySet().stream().filter(e -> !e.getKey().endsWith(" OK"))
                .mapToLong(Map.Entry::getValue).sum();
        System.out.println("Soak summary (" + duration.toSeconds() + " s, " + unaryRate + " unary/s, " + streamRate
                + " streams/s of " + STREAM_MESSAGES + " messages, " + connectionCount + " connections)");
        byStatus.forEach((outcome, count) -> System.out.printf("  calls %-22s %d%n", outcome, count));
        System.out.println("  failed calls           " + failed + (drained ? "" : " (calls still in flight at the end)"));
        samples.forEach(s -> System.out.println("  " + s));
        System.out.println("  at the end: connections active " + gauges[0] + ", sessions active " + gauges[1]);
        boolean passed = failed == 0 && drained && gauges[0] == 0 && gauges[1] == 0;
        System.out.println(passed ? "SOAK PASSED" : "SOAK FAILED");
        return passed;
    }

    private void unary(ManagedChannel channel, String key, Deployed d) {
        if (!inFlight.tryAcquire()) {
            count("unary", "BACKLOG");
            return;
        }
        Futures.addCallback(calling(GRPCInferenceServiceGrpc.newFutureStub(channel), key, d)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .modelInfer(ModelInferRequest.newBuilder().setModelName("m").build()), new FutureCallback<>() {
                    @Override
                    public void onSuccess(ModelInferResponse response) {
                        done("unary", Status.Code.OK.name());
                    }

                    @Override
                    public void onFailure(Throwable t) {
                        done("unary", Status.fromThrowable(t).getCode().name());
                    }
                }, MoreExecutors.directExecutor());
    }

    private void stream(ManagedChannel channel, String key, Deployed d) {
        if (!inFlight.tryAcquire()) {
            count("stream", "BACKLOG");
            return;
        }
        StreamObserver<ModelInferRequest> requests = calling(GRPCInferenceServiceGrpc.newStub(channel), key, d)
                .withDeadlineAfter(30, TimeUnit.SECONDS).modelStreamInfer(new StreamObserver<>() {
                    int answers;

                    @Override
                    public void onNext(ModelStreamInferResponse value) {
                        answers++;
                    }

                    @Override
                    public void onError(Throwable t) {
                        done("stream", Status.fromThrowable(t).getCode().name());
                    }

                    @Override
                    public void onCompleted() {
                        done("stream", answers == STREAM_MESSAGES ? Status.Code.OK.name() : "MISSING_ANSWERS");
                    }
                });
        for (int i = 0; i < STREAM_MESSAGES; i++) {
            requests.onNext(ModelInferRequest.newBuilder().setModelName("m").setId(String.valueOf(i)).build());
        }
        requests.onCompleted();
    }

    private void done(String kind, String outcome) {
        count(kind, outcome);
        inFlight.release();
    }

    private void count(String kind, String outcome) {
        outcomes.computeIfAbsent(kind + " " + outcome, k -> new LongAdder()).increment();
    }

    /**
     * Heap used and live threads of the gateway, from its actuator metrics. When the gateway's process id is known
     * ({@code soak.gateway-pid}) a full GC runs first (jcmd), so that heap used is what is live, and comparable.
     */
    private String sample(String when) throws Exception {
        String pid = System.getProperty("soak.gateway-pid");
        if (pid != null) {
            Process gc = new ProcessBuilder("jcmd", pid, "GC.run").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!gc.waitFor(30, TimeUnit.SECONDS)) {
                gc.destroyForcibly();
            }
        }
        double heap = management.get("/actuator/metrics/jvm.memory.used?tag=area:heap").json()
                .at("/measurements/0/value").asDouble();
        double threads = management.get("/actuator/metrics/jvm.threads.live").json().at("/measurements/0/value")
                .asDouble();
        return String.format("%-6s heap used %6.1f MiB, live threads %d", when, heap / (1024 * 1024), (long) threads);
    }

    /** Waits (60 s at most) for the gateway's active connections and sessions to be zero; returns both. */
    private long[] awaitIdle() throws InterruptedException {
        long[] gauges = { -1, -1 };
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            String text = management.get("/actuator/prometheus").text();
            gauges[0] = sum(text, "gateway_grpc_connections_active");
            gauges[1] = sum(text, "gateway_grpc_sessions_active");
            if (gauges[0] == 0 && gauges[1] == 0) {
                break;
            }
            Thread.sleep(500);
        }
        return gauges;
    }

    /** The sum of a Prometheus gauge's series in the text exposition format. */
    private static long sum(String exposition, String name) {
        return (long) exposition.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }
}

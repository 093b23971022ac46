package dev.functiongateway.routing;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * Metrics of workers and queues. Series exist only for instances and versions in the registry: they are added
 * when a worker or version appears and removed when it goes, so label cardinality follows the registry.
 */
@Component
public class RoutingMetrics {

    /** The version label of sessions that named no version. */
    static final String ANY_VERSION = "any";

    private final MeterRegistry registry;
    private final Map<Object, List<Meter>> owned = new ConcurrentHashMap<>();
    /** The live workers, each with its connect-failure counter; the sessions gauge sums over them. */
    private final Map<Worker, Counter> liveWorkers = new ConcurrentHashMap<>();

    public RoutingMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("gateway.grpc.sessions.active", liveWorkers,
                        workers -> workers.keySet().stream().mapToInt(Worker::sessions).sum())
                .description("Worker slots held by sessions, on both listeners")
                .register(registry);
    }

    /** The number of registry instances whose worker could not be set up. */
    void unbuildableWorkers(Supplier<Number> count) {
        Gauge.builder("gateway.workers.unusable", count)
                .description("Instances in the registry that routing skips because their connection cannot be set up")
                .register(registry);
    }

    void workerAdded(Worker worker) {
        Tags tags = Tags.of("function_id", worker.version().functionId().toString(),
                "function_version_id", worker.versionId().toString(),
                // Not "instance": Prometheus sets that label to the scraped target (the gateway pod).
                "worker", worker.instance().address().toString());
        Counter failures = Counter.builder("gateway.worker.connect.failures")
                .description("Calls that could not reach the instance").tags(tags).register(registry);
        liveWorkers.put(worker, failures);
        owned.put(worker, List.of(
                Gauge.builder("gateway.worker.healthy", worker, w -> w.healthy() ? 1 : 0)
                        .description("1 while the instance passes its health checks").tags(tags).register(registry),
                Gauge.builder("gateway.worker.sessions", worker, Worker::sessions)
                        .description("Sessions pinned to the instance").tags(tags).register(registry),
                failures));
    }

    void workerRetired(Worker worker) {
        liveWorkers.remove(worker);
        remove(worker);
    }

    void connectFailure(Worker worker) {
        Counter counter = liveWorkers.get(worker);
        if (counter != null) {
            counter.increment();
        }
    }

    /** Queue gauges for a version ({@code versionId} null: sessions that named no version). */
    void queueAdded(FunctionPool pool, UUID functionId, UUID versionId) {
        Object key = queueKey(functionId, versionId);
        owned.computeIfAbsent(key, k -> List.of(Gauge.builder("gateway.queue.depth", pool, p -> p.queueDepth(versionId))
                .description("New sessions waiting for a free worker slot")
                .tags("function_id", functionId.toString(), "function_version_id", versionLabel(versionId))
                .register(registry)));
    }

    void queueRemoved(UUID functionId, UUID versionId) {
        remove(queueKey(functionId, versionId));
    }

    /** How a wait in the queue ended: the {@code outcome} tag of {@code gateway.queue.wait}. */
    enum QueueOutcome {
        /** It got a slot. */
        SERVED,
        /** The queue wait ran out (RESOURCE_EXHAUSTED). */
        REFUSED,
        /** Its owner gave up first: an HTTP client left, a gRPC connection closed. */
        LEFT;

        final String tag = name().toLowerCase(Locale.ROOT);
    }

    void queueWait(UUID functionId, UUID versionId, long nanos, QueueOutcome outcome) {
        Timer.builder("gateway.queue.wait")
                .description("Time new sessions waited in the queue for a worker slot")
                .tags("function_id", functionId.toString(), "function_version_id", versionLabel(versionId),
                        "outcome", outcome.tag)
                .register(registry)
                .record(Duration.ofNanos(nanos));
    }

    /** Sessions bound on this replica for one listener: attached now, or within their reconnect window. */
    void sessionsOpen(String listener, Supplier<Number> count) {
        Gauge.builder("gateway.sessions.open", count)
                .description("Sessions bound on this replica, attached or within their reconnect window")
                .tag("listener", listener).register(registry);
    }

    void sessionResumed(String listener) {
        registry.counter("gateway.sessions.resumed", "listener", listener).increment();
    }

    /** An nvcf-reqid was refused: {@code unknown}, {@code expired}, {@code foreign_key}, {@code worker_gone}. */
    void sessionIdRefused(String reason) {
        registry.counter("gateway.session.ids.refused", "reason", reason).increment();
    }

    private static String versionLabel(UUID versionId) {
        return versionId == null ? ANY_VERSION : versionId.toString();
    }

    private static Object queueKey(UUID functionId, UUID versionId) {
        return List.of("queue", functionId, versionLabel(versionId));
    }

    private void remove(Object key) {
        List<Meter> meters = owned.remove(key);
        if (meters != null) {
            meters.forEach(registry::remove);
        }
    }
}

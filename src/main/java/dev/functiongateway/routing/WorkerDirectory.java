package dev.functiongateway.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import javax.net.ssl.SSLException;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.functiongateway.registry.FunctionInstance;
import dev.functiongateway.registry.HealthProtocol;
import dev.functiongateway.registry.RegistryCache;
import dev.functiongateway.registry.RegistryChangedEvent;
import dev.functiongateway.registry.RegistrySnapshot;
import dev.functiongateway.registry.RegistrySnapshot.FunctionEntry;
import dev.functiongateway.registry.RegistrySnapshot.VersionEntry;
import dev.functiongateway.registry.WorkerAddress;
import dev.functiongateway.support.LogSafe;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

/**
 * The live workers of every function, following the registry snapshot. A worker keeps its identity (sessions,
 * health, channel) across registry changes for as long as its instance keeps its id and address; a removed
 * instance is retired and its channel shut down once its calls finish.
 */
@Component
public class WorkerDirectory implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(WorkerDirectory.class);

    /** What makes a worker the same one across registry changes. */
    private record WorkerKey(UUID versionId, String instanceId, WorkerAddress address, boolean tls) {

        static WorkerKey of(FunctionInstance i) {
            return new WorkerKey(i.versionId(), i.id(), i.address(), i.tls());
        }
    }

    private final RoutingProperties properties;
    private final RoutingMetrics metrics;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "routing-timer");
        t.setDaemon(true);
        return t;
    });
    private final Map<WorkerKey, Worker> workers = new HashMap<>();
    /** Per function, the versions that have queue gauges; null stands for sessions that named no version. */
    private final Map<UUID, Set<UUID>> queues = new HashMap<>();
    private volatile Map<UUID, FunctionPool> pools = Map.of();
    /** Instances of the registry whose worker could not be set up; each is logged once. Guarded by this. */
    private final Set<WorkerKey> unbuildable = new HashSet<>();

    private final SslContext upstreamTls;

    public WorkerDirectory(RoutingProperties properties, RegistryCache registry, SslBundles sslBundles,
            RoutingMetrics metrics) {
        this.properties = properties;
        this.metrics = metrics;
        this.upstreamTls = buildUpstreamTls(properties.upstreamSslBundle(), sslBundles);
        metrics.unbuildableWorkers(this::unbuildableCount);
        follow(registry.snapshot());
    }

    /** The client TLS context for instances marked TLS: from the configured bundle, else the JVM's defaults. */
    private static SslContext buildUpstreamTls(String bundleName, SslBundles bundles) {
        try {
            SslContextBuilder builder = GrpcSslContexts.forClient();
            if (bundleName != null && !bundleName.isBlank()) {
                SslBundle bundle = bundles.getBundle(bundleName);
                builder.trustManager(bundle.getManagers().getTrustManagerFactory());
                if (bundle.getStores().getKeyStore() != null) {
                    builder.keyManager(bundle.getManagers().getKeyManagerFactory());
                }
            }
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS to workers with SSL bundle '" + bundleName + "'", e);
        }
    }

    /** The client TLS context (ALPN h2) for instances marked TLS; shared by health checks and the proxy. */
    public SslContext upstreamTls() {
        return upstreamTls;
    }

    /** The pool of a function, or null if it has no versions. Any thread; no locking. */
    public FunctionPool pool(UUID functionId) {
        return pools.get(functionId);
    }

    /** Workers of one version (healthy or not). */
    public List<Worker> workersOf(UUID functionId, UUID versionId) {
        FunctionPool pool = pools.get(functionId);
        return pool == null ? List.of() : pool.workers().stream().filter(w -> w.versionId().equals(versionId)).toList();
    }

    private synchronized int unbuildableCount() {
        return unbuildable.size();
    }

    /** Every current worker; for the health checker. */
    public synchronized List<Worker> all() {
        return List.copyOf(workers.values());
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    @EventListener
    public void onRegistryChanged(RegistryChangedEvent event) {
        follow(event.current());
    }

    private synchronized void follow(RegistrySnapshot snapshot) {
        Map<WorkerKey, Worker> kept = new HashMap<>();
        List<Worker> added = new ArrayList<>();
        Set<WorkerKey> seen = new HashSet<>();
        Map<UUID, FunctionPool> nextPools = new HashMap<>();
        Map<FunctionPool, List<Worker>> members = new HashMap<>();
        for (FunctionEntry function : snapshot.functions().values()) {
            FunctionPool pool = pools.get(function.function().id());
            if (pool == null) {
                pool = new FunctionPool(function.function().id(), properties.queueMaxSize(), timer, metrics);
            }
            followQueues(pool, function);
            nextPools.put(function.function().id(), pool);
            List<Worker> poolWorkers = new ArrayList<>();
            for (VersionEntry version : function.versions().values()) {
                for (FunctionInstance instance : version.instances()) {
                    WorkerKey key = WorkerKey.of(instance);
                    seen.add(key);
                    Worker worker = workers.get(key);
                    if (worker == null) {
                        worker = build(key, instance, version);
                        if (worker == null) {
                            continue;
                        }
                        added.add(worker);
                    } else {
                        worker.update(version.version());
                    }
                    kept.put(key, worker);
                    poolWorkers.add(worker);
                }
            }
            members.put(pool, poolWorkers);
        }
        workers.forEach((key, worker) -> {
            if (!kept.containsKey(key)) {
                worker.retire();
                worker.channel().shutdown();
                metrics.workerRetired(worker);
                log.info("Worker {} removed", worker);
            }
        });
        // After the removals: a worker redeployed at the same address has the same series, which must be the
        // new worker's, not dropped with the old one's.
        added.forEach(worker -> {
            metrics.workerAdded(worker);
            log.info("Worker {} added", worker);
        });
        queues.keySet().removeIf(functionId -> {
            if (nextPools.containsKey(functionId)) {
                return false;
            }
            queues.get(functionId).forEach(version -> metrics.queueRemoved(functionId, version));
            return true;
        });
        unbuildable.retainAll(seen);
        workers.clear();
        workers.putAll(kept);
        pools = Map.copyOf(nextPools);
        members.forEach(FunctionPool::replaceWorkers);
    }

    /** Queue gauges for each version of the function, and for sessions that named none. */
    private void followQueues(FunctionPool pool, FunctionEntry function) {
        UUID functionId = function.function().id();
        Set<UUID> next = new HashSet<>(function.versions().keySet());
        next.add(null);
        Set<UUID> current = queues.computeIfAbsent(functionId, id -> new HashSet<>());
        current.stream().filter(v -> !next.contains(v)).forEach(v -> metrics.queueRemoved(functionId, v));
        next.stream().filter(v -> !current.contains(v)).forEach(v -> metrics.queueAdded(pool, functionId, v));
        current.clear();
        current.addAll(next);
    }

    /**
     * A new worker for the instance, or null if its connection cannot even be set up: that one instance is then
     * skipped (logged once, counted), and the rest of the registry is followed as usual.
     */
    private Worker build(WorkerKey key, FunctionInstance instance, VersionEntry version) {
        try {
            return new Worker(instance, version.version(), openChannel(instance),
                    version.version().healthProtocol() == HealthProtocol.NONE);
        } catch (RuntimeException e) {
            if (unbuildable.add(key)) {
                log.warn("Instance {} of version {} at {} is skipped: {}", LogSafe.escape(instance.id()),
                        instance.versionId(), instance.address(), LogSafe.escape(e.toString()));
            }
            return null;
        }
    }

    private ManagedChannel openChannel(FunctionInstance instance) {
        NettyChannelBuilder builder = NettyChannelBuilder
                .forAddress(instance.address().host(), instance.address().port())
                // Callbacks only move bytes between calls: no need for a thread hop.
                .directExecutor()
                .maxInboundMessageSize(Integer.MAX_VALUE)
                // A proxy must not replay calls, and retry buffering would copy every message.
                .disableRetry();
        return (instance.tls() ? builder.sslContext(upstreamTls) : builder.usePlaintext()).build();
    }

    @Override
    public synchronized void destroy() throws InterruptedException {
        timer.shutdownNow();
        workers.values().forEach(w -> w.channel().shutdownNow());
        for (Worker w : workers.values()) {
            w.channel().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}

package dev.functiongateway.registry;

import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

import dev.functiongateway.support.LogSafe;
import dev.functiongateway.support.RecurringFailure;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Holds the current {@link RegistrySnapshot}. Readers call {@link #snapshot()} (a volatile read, any thread);
 * writers call {@link #refresh()} after changing the database, and a timer calls it every
 * {@code gateway.registry.refresh-interval} so that changes made by other replicas arrive too.
 */
@Component
public class RegistryCache implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(RegistryCache.class);

    private final RegistryRepository repository;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private volatile RegistrySnapshot snapshot = RegistrySnapshot.EMPTY;
    private volatile boolean loaded;
    /** The unusable instance rows of the last load; each is logged once, the first time it is seen. */
    private volatile List<UnusableInstance> unusable = List.of();
    private final Set<UnusableInstance> reported = ConcurrentHashMap.newKeySet();
    /** Guarded by this object's monitor, as {@link #refresh()} is. */
    private final RecurringFailure refreshes = new RecurringFailure(log, "Registry refresh",
            "keeping the previous snapshot");

    public RegistryCache(RegistryRepository repository, ApplicationEventPublisher events, Clock clock,
            MeterRegistry meters) {
        this.repository = repository;
        this.events = events;
        this.clock = clock;
        Gauge.builder("gateway.registry.instances.unusable", this, c -> c.unusable.size())
                .description("Stored instances that routing skips because they cannot be used (see the log)")
                .register(meters);
    }

    /** Loads the registry before anything can ask for it; {@link dev.functiongateway.config.PeriodicRefresh} keeps it fresh. */
    @Override
    public void afterPropertiesSet() {
        refresh();
    }

    public RegistrySnapshot snapshot() {
        return snapshot;
    }

    /** True once the registry has been read from the database at least once. */
    public boolean loaded() {
        return loaded;
    }

    /** Reloads from the database; lapsed self-registered instances are removed on the way. */
    public synchronized void refresh() {
        try {
            repository.deleteExpiredInstances(clock.instant());
            InstanceRows instances = repository.findAllInstances();
            RegistrySnapshot next = RegistrySnapshot.of(repository.findAllFunctions(), repository.findAllVersions(),
                    instances.usable());
            reportUnusable(instances.unusable());
            RegistrySnapshot previous = snapshot;
            snapshot = next;
            loaded = true;
            refreshes.succeeded();
            if (!next.equals(previous)) {
                events.publishEvent(new RegistryChangedEvent(previous, next));
            }
        } catch (RuntimeException e) {
            // Keep serving the last good snapshot; the database may be back by the next tick.
            refreshes.failed(e);
        }
    }

    /** One bad row never stops the rest: it is left out of the snapshot, logged once and counted. */
    private void reportUnusable(List<UnusableInstance> rows) {
        unusable = rows;
        reported.retainAll(rows);
        for (UnusableInstance row : rows) {
            if (reported.add(row)) {
                log.warn("Instance {} of version {} is skipped: address '{}': {}", LogSafe.escape(row.id()),
                        row.versionId(), LogSafe.escape(row.address()), LogSafe.escape(row.reason()));
            }
        }
    }
}

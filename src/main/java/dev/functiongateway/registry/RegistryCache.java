package dev.functiongateway.registry;

import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

import dev.functiongateway.support.LogSafe;

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

    public RegistryCache(RegistryRepository repository, ApplicationEventPublisher events, Clock clock) {
        this.repository = repository;
        this.events = events;
        this.clock = clock;
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
            RegistrySnapshot next = RegistrySnapshot.of(repository.findAllFunctions(), repository.findAllVersions(),
                    repository.findAllInstances());
            RegistrySnapshot previous = snapshot;
            snapshot = next;
            loaded = true;
            if (!next.equals(previous)) {
                events.publishEvent(new RegistryChangedEvent(previous, next));
            }
        } catch (RuntimeException e) {
            // Keep serving the last good snapshot; the database may be back by the next tick.
            log.warn("Registry refresh failed, keeping the previous snapshot: {}", LogSafe.escape(e.toString()));
        }
    }
}

package dev.functiongateway.config;

import java.time.Clock;
import java.time.Duration;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

import dev.functiongateway.auth.ApiKeyService;
import dev.functiongateway.registry.RegistryCache;
import dev.functiongateway.registry.RegistryProperties;

/**
 * Reloads the registry snapshot and the key index every {@code gateway.registry.refresh-interval}, so that
 * what other replicas wrote to the shared database is in force here within that interval.
 */
@Component
public class PeriodicRefresh implements SmartInitializingSingleton {

    private final TaskScheduler scheduler;
    private final Clock clock;
    private final Duration interval;
    private final RegistryCache registry;
    private final ApiKeyService keys;

    PeriodicRefresh(TaskScheduler scheduler, Clock clock, RegistryProperties properties, RegistryCache registry,
            ApiKeyService keys) {
        this.scheduler = scheduler;
        this.clock = clock;
        this.interval = properties.refreshInterval();
        this.registry = registry;
        this.keys = keys;
    }

    @Override
    public void afterSingletonsInstantiated() {
        scheduler.scheduleWithFixedDelay(() -> {
            registry.refresh();
            keys.refresh();
        }, clock.instant().plus(interval), interval);
    }
}

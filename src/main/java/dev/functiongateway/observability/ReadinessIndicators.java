package dev.functiongateway.observability;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.functiongateway.proxy.ProxyListener;
import dev.functiongateway.registry.RegistryCache;

/**
 * What readiness needs besides Boot's own state: the registry snapshot loaded from the database, and the gRPC
 * listener running. (The HTTP listener is up if the probe gets an answer; at shutdown Boot's readiness state
 * turns to refusing traffic before the drain.)
 */
@Configuration(proxyBeanMethods = false)
class ReadinessIndicators {

    @Bean
    HealthIndicator registryHealthIndicator(RegistryCache registry) {
        return () -> registry.loaded()
                ? Health.up().withDetail("functions", registry.snapshot().functions().size()).build()
                : Health.outOfService().withDetail("reason", "registry not loaded from the database yet").build();
    }

    @Bean
    HealthIndicator grpcListenerHealthIndicator(ProxyListener listener) {
        return () -> listener.isRunning() ? Health.up().withDetail("port", listener.port()).build()
                : Health.outOfService().withDetail("reason", "gRPC listener not running").build();
    }
}

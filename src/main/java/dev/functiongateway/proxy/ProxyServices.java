package dev.functiongateway.proxy;

import org.springframework.stereotype.Component;

import dev.functiongateway.auth.ApiKeyService;
import dev.functiongateway.observability.CallObserver;
import dev.functiongateway.registry.RegistryCache;
import dev.functiongateway.routing.HealthChecker;
import dev.functiongateway.routing.InvocationAdmission;
import dev.functiongateway.routing.SessionRouter;

/**
 * What client connections and their calls use: admission, sessions, workers, where finished calls go, and the
 * registry's state for the gateway's own health answer. Each is safe to call from any event loop.
 */
@Component
record ProxyServices(ProxyProperties properties, InvocationAdmission admission, ApiKeyService keys,
        SessionRouter router, Upstreams upstreams, HealthChecker health, CallObserver observer, ProxyMetrics metrics,
        RegistryCache registry) {
}

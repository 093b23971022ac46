package dev.functiongateway.proxy;

import org.springframework.stereotype.Component;

import dev.functiongateway.observability.CallObserver;
import dev.functiongateway.routing.HealthChecker;

/** What every {@link ProxyCall} reports to: worker health, the calls in flight, metrics and access log. */
@Component
record ProxyServices(HealthChecker health, InFlightCalls inFlight, CallObserver observer) {
}

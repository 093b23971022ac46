package dev.functiongateway.proxy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The proxied calls not yet ended, so that shutdown can end the last ones with a clear status. */
@Component
class InFlightCalls {

    private final Set<ProxyCall> calls = ConcurrentHashMap.newKeySet();

    InFlightCalls(MeterRegistry registry) {
        Gauge.builder("gateway.grpc.calls.active", calls, Set::size)
                .description("gRPC calls admitted and not yet ended").register(registry);
    }

    void add(ProxyCall call) {
        calls.add(call);
    }

    void remove(ProxyCall call) {
        calls.remove(call);
    }

    int count() {
        return calls.size();
    }

    /** Ends every call still running with UNAVAILABLE. */
    void endAll() {
        calls.forEach(ProxyCall::endForShutdown);
    }
}

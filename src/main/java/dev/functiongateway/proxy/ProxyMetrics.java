package dev.functiongateway.proxy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The listener's own gauges: connections, calls in flight, and the payload bytes the gateway holds. Threading:
 * written by every event loop and read by scrapes; atomics, no lock.
 */
@Component
class ProxyMetrics {

    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger calls = new AtomicInteger();
    /**
     * DATA bytes received from either side and not yet written to the other (or dropped). Flow control bounds
     * it: per call and direction by {@code gateway.proxy.stream-window}, whatever the message size.
     */
    final LongAdder bufferedBytes = new LongAdder();

    ProxyMetrics(MeterRegistry registry) {
        Gauge.builder("gateway.grpc.connections.active", connections, AtomicInteger::get)
                .description("Client connections open on the gRPC listener").register(registry);
        Gauge.builder("gateway.grpc.calls.active", calls, AtomicInteger::get)
                .description("gRPC calls admitted and not yet ended").register(registry);
        Gauge.builder("gateway.grpc.buffered.bytes", bufferedBytes, LongAdder::sum)
                .description("Payload bytes held by the gateway between the two sides of its calls")
                .baseUnit("bytes").register(registry);
    }
}

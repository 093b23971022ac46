package dev.functiongateway.proxy;

import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.stereotype.Component;

import dev.functiongateway.routing.ConnectionSessions;
import io.grpc.Attributes;
import io.grpc.ServerTransportFilter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Tags each client TCP connection with its {@link ConnectionSessions} when it opens, and releases them when it
 * closes (the client's close, a network failure, or the idle timeout alike). This is what pins sessions to
 * connections.
 */
@Component
class ConnectionTracker extends ServerTransportFilter {

    static final Attributes.Key<ConnectionSessions> SESSIONS = Attributes.Key.create("function-gateway.sessions");

    private final AtomicInteger open = new AtomicInteger();

    ConnectionTracker(MeterRegistry registry) {
        Gauge.builder("gateway.grpc.connections.active", open, AtomicInteger::get)
                .description("Client connections open on the gRPC listener").register(registry);
    }

    /** Client connections open now. */
    int openConnections() {
        return open.get();
    }

    @Override
    public Attributes transportReady(Attributes attributes) {
        open.incrementAndGet();
        return attributes.toBuilder().set(SESSIONS, new ConnectionSessions()).build();
    }

    @Override
    public void transportTerminated(Attributes attributes) {
        ConnectionSessions sessions = attributes.get(SESSIONS);
        if (sessions != null) {
            open.decrementAndGet();
            sessions.close();
        }
    }
}

package dev.functiongateway.proxy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Shutdown (SIGTERM) in three steps. At once: report not ready. Then the gRPC server lifecycle, which stops
 * first, takes no new connections and waits for calls in flight. After {@code gateway.proxy.drain-time}, the
 * calls still running are ended here with UNAVAILABLE (the server's own forced stop would reset them, which
 * clients see as CANCELLED), and their workers see the cancel.
 */
@Component
class DrainOnShutdown {

    private static final Logger log = LoggerFactory.getLogger(DrainOnShutdown.class);

    private final ProxyProperties properties;
    private final InFlightCalls calls;
    private final ConnectionTracker connections;

    DrainOnShutdown(ProxyProperties properties, InFlightCalls calls, ConnectionTracker connections) {
        this.properties = properties;
        this.calls = calls;
        this.connections = connections;
    }

    @EventListener
    void onClose(ContextClosedEvent event) {
        ApplicationContext context = event.getApplicationContext();
        if (context.getParent() != null) {
            return;
        }
        AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
        log.info("Shutting down: not ready; {} client connections, {} calls in flight that may run for up to {}",
                connections.openConnections(), calls.count(), properties.drainTime());
        CompletableFuture.delayedExecutor(properties.drainTime().toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            int left = calls.count();
            if (left > 0) {
                log.info("Drain time over: ending {} calls with UNAVAILABLE", left);
                calls.endAll();
            }
        });
    }
}

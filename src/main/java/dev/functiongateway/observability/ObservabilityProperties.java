package dev.functiongateway.observability;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gateway.observability.*}: the access log and metric label limits.
 *
 * @param accessLog              one log line per gRPC call at its end (logger {@code dev.functiongateway.access});
 *                               default true
 * @param accessLogFlushInterval longest time an access line waits on the console before it goes out in one
 *                               write with the lines logged after it; 0 writes each line at once; default 1 s
 * @param maxMethodsPerFunction  distinct {@code method} label values kept per function; later ones are counted
 *                               as {@code other}, so a client inventing method names cannot grow the series;
 *                               default 100
 */
@ConfigurationProperties("gateway.observability")
public record ObservabilityProperties(
        @DefaultValue("true") boolean accessLog,
        @DefaultValue("1s") Duration accessLogFlushInterval,
        @DefaultValue("100") int maxMethodsPerFunction) {
}

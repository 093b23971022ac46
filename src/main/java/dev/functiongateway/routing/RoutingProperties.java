package dev.functiongateway.routing;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gateway.routing.*}: choosing workers, waiting for them, and checking their health.
 *
 * @param queueMaxSize         sessions that may wait per function when every instance is full; 0 refuses at
 *                             once; default 100
 * @param queueMaxWait         how long a new session waits for a free slot before RESOURCE_EXHAUSTED; default 30 s
 * @param healthInterval       time between active health checks of one instance; default 5 s
 * @param healthTimeout        deadline of one health check; default 2 s
 * @param unhealthyThreshold   consecutive failed checks that take an instance out; default 2
 * @param healthyThreshold     consecutive passed checks that put it back; default 1
 * @param upstreamSslBundle    SSL bundle ({@code spring.ssl.bundle.*}) for instances marked TLS: its truststore
 *                             verifies workers, its keystore (if any) is the gateway's client certificate; unset
 *                             means the JVM's default trust and no client certificate
 */
@ConfigurationProperties("gateway.routing")
public record RoutingProperties(
        @DefaultValue("100") int queueMaxSize,
        @DefaultValue("30s") Duration queueMaxWait,
        @DefaultValue("5s") Duration healthInterval,
        @DefaultValue("2s") Duration healthTimeout,
        @DefaultValue("2") int unhealthyThreshold,
        @DefaultValue("1") int healthyThreshold,
        String upstreamSslBundle) {
}

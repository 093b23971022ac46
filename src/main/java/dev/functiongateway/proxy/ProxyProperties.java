package dev.functiongateway.proxy;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gateway.proxy.*}: the gRPC proxy listener's own behaviour (port, TLS, keepalive and idle close are
 * {@code spring.grpc.server.*}).
 *
 * @param drainTime at shutdown, how long calls in flight may run before they are ended with UNAVAILABLE;
 *                  default 30 s. Keep {@code spring.grpc.server.shutdown.grace-period} longer than this.
 */
@ConfigurationProperties("gateway.proxy")
public record ProxyProperties(@DefaultValue("30s") Duration drainTime) {
}

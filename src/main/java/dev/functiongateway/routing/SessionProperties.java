package dev.functiongateway.routing;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gateway.sessions.*}: how long a session's binding (its {@code nvcf-reqid} and worker) outlives its
 * connections and requests.
 *
 * @param reconnectWindow how long a session with nothing attached keeps its binding, so that a client can come
 *                        back with its id to the same worker; default 30 s (the idle time of gRPC connections)
 * @param idMaxAge        how long after it was issued an id is honoured by a replica that never saw the session
 *                        end (another replica, or this one after a restart); default 24 h
 */
@ConfigurationProperties("gateway.sessions")
public record SessionProperties(
        @DefaultValue("30s") Duration reconnectWindow,
        @DefaultValue("24h") Duration idMaxAge) {
}

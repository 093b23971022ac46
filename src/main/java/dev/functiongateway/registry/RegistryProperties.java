package dev.functiongateway.registry;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gateway.registry.*}: how the in-memory registry and key index follow the database.
 *
 * @param refreshInterval how often each replica reloads the registry and keys, so that replicas sharing a
 *                        database converge within this interval plus one load; default 2 s
 * @param maxEndpointsPerDeployment the most endpoints one deployment may list; each becomes a worker with its
 *                                  own connections and health checks; default 100
 * @param deployTimeout   how long a deployed version may wait for its first healthy instance before its status
 *                        turns from DEPLOYING to ERROR (with the reason); default 5 min
 */
@ConfigurationProperties("gateway.registry")
public record RegistryProperties(@DefaultValue("2s") Duration refreshInterval,
        @DefaultValue("100") int maxEndpointsPerDeployment, @DefaultValue("5m") Duration deployTimeout) {
}

package dev.functiongateway.auth;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gateway.auth.*}: the first admin key.
 *
 * @param bootstrapAdminKey a key value (at least 16 characters) that exists with every scope after start-up and
 *                          replaces (revokes) any earlier bootstrap key;
 *                          unset by default
 * @param adminKeyFile      where a generated first admin key is written (owner-only) when no key is
 *                          configured and none exists yet; default {@code ./data/admin-key}
 */
@ConfigurationProperties("gateway.auth")
public record AuthProperties(String bootstrapAdminKey, @DefaultValue("./data/admin-key") Path adminKeyFile) {
}

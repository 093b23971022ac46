package dev.functiongateway.registry;

import java.time.Instant;
import java.util.UUID;

/**
 * A worker endpoint serving one function version.
 *
 * @param expiresAt when a self-registered instance lapses unless renewed; {@code null} for instances
 *                  listed in a deployment, which stay until the deployment changes
 */
public record FunctionInstance(
        UUID versionId, String id, WorkerAddress address, boolean tls, Instant registeredAt, Instant expiresAt) {

    public boolean expiredAt(Instant now) {
        return expiresAt != null && !expiresAt.isAfter(now);
    }
}

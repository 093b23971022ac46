package dev.functiongateway.registry;

import java.time.Instant;
import java.util.UUID;

/**
 * One deployable version of a function.
 *
 * @param inferenceUrl          path the HTTP route calls on a worker (HTTP functions only)
 * @param healthUri             gRPC service name (GRPC health) or URL path (HTTP health) to check
 * @param maxRequestConcurrency sessions one instance takes at once; 0 means unlimited
 */
public record FunctionVersion(
        UUID id,
        UUID functionId,
        VersionStatus status,
        InferenceProtocol inferenceProtocol,
        String inferenceUrl,
        HealthProtocol healthProtocol,
        String healthUri,
        int maxRequestConcurrency,
        Instant createdAt) {

    public FunctionVersion withStatus(VersionStatus newStatus) {
        return new FunctionVersion(id, functionId, newStatus, inferenceProtocol, inferenceUrl, healthProtocol,
                healthUri, maxRequestConcurrency, createdAt);
    }
}

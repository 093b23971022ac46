package dev.functiongateway.admin;

import java.time.Instant;
import java.util.UUID;

import dev.functiongateway.registry.HealthProtocol;
import dev.functiongateway.registry.InferenceProtocol;
import dev.functiongateway.registry.RegistryService.FunctionAndVersion;
import dev.functiongateway.registry.VersionStatus;

/**
 * The admin API's function object: one function version, named after NVIDIA Cloud Functions' fields. Its status
 * is the version's as this replica's health checks see it.
 */
public record FunctionView(
        UUID id,
        UUID versionId,
        String name,
        String description,
        VersionStatus status,
        InferenceProtocol inferenceProtocol,
        String inferenceUrl,
        Health health,
        int maxRequestConcurrency,
        Instant createdAt) {

    /** How the gateway checks this version's instances. */
    public record Health(HealthProtocol protocol, String uri) {
    }

    static FunctionView of(FunctionAndVersion fv, VersionStatus status) {
        var f = fv.function();
        var v = fv.version();
        return new FunctionView(f.id(), v.id(), f.name(), f.description(), status, v.inferenceProtocol(),
                v.inferenceUrl(), new Health(v.healthProtocol(), v.healthUri()), v.maxRequestConcurrency(),
                v.createdAt());
    }
}

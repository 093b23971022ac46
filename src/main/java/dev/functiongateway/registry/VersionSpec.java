package dev.functiongateway.registry;

/**
 * What an operator sets on a version. On creation, null fields take defaults; on update, null fields stay
 * as they are.
 */
public record VersionSpec(
        InferenceProtocol inferenceProtocol,
        String inferenceUrl,
        HealthProtocol healthProtocol,
        String healthUri,
        Integer maxRequestConcurrency) {
}

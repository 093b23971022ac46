package dev.functiongateway.registry;

import com.fasterxml.jackson.annotation.JsonCreator;

import dev.functiongateway.support.Enums;

/** How the gateway checks a worker: {@code grpc.health.v1.Health/Check}, an HTTP GET, or not at all. */
public enum HealthProtocol {
    GRPC, HTTP, NONE;

    /** Reads a name in any case: NVIDIA Cloud Functions writes {@code "gRPC"}. */
    @JsonCreator
    public static HealthProtocol fromJson(String name) {
        return Enums.parseIgnoringCase(HealthProtocol.class, name);
    }
}

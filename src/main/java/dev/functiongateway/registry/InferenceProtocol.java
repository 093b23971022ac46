package dev.functiongateway.registry;

import com.fasterxml.jackson.annotation.JsonCreator;

import dev.functiongateway.support.Enums;

/** How clients call a function: through the gRPC proxy or the HTTP route. */
public enum InferenceProtocol {
    GRPC, HTTP;

    /** Reads a name in any case: NVIDIA Cloud Functions writes {@code "gRPC"}. */
    @JsonCreator
    public static InferenceProtocol fromJson(String name) {
        return Enums.parseIgnoringCase(InferenceProtocol.class, name);
    }
}

package dev.functiongateway.registry;

/** How clients call a function: through the gRPC proxy or the HTTP route. */
public enum InferenceProtocol {
    GRPC, HTTP
}

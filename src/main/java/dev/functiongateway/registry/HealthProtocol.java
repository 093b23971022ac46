package dev.functiongateway.registry;

/** How the gateway checks a worker: {@code grpc.health.v1.Health/Check}, an HTTP GET, or not at all. */
public enum HealthProtocol {
    GRPC, HTTP, NONE
}

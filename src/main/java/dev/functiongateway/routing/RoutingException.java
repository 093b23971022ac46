package dev.functiongateway.routing;

import io.grpc.Status;

/** No worker can take a session: the status says why (UNAVAILABLE, RESOURCE_EXHAUSTED). */
public final class RoutingException extends RuntimeException {

    private final transient Status status;

    RoutingException(Status status) {
        super(status.getDescription(), null, false, false);
        this.status = status;
    }

    public Status status() {
        return status;
    }
}

package dev.functiongateway.http;

import org.springframework.http.HttpStatus;

import io.grpc.Status;

/** The HTTP status of each routing refusal on the HTTP route. */
final class Problems {

    private Problems() {
    }

    /** The HTTP status of a routing refusal. */
    static HttpStatus statusOf(Status.Code code) {
        return switch (code) {
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case RESOURCE_EXHAUSTED -> HttpStatus.TOO_MANY_REQUESTS;
            case PERMISSION_DENIED -> HttpStatus.FORBIDDEN;
            case INVALID_ARGUMENT -> HttpStatus.BAD_REQUEST;
            case DEADLINE_EXCEEDED -> HttpStatus.GATEWAY_TIMEOUT;
            default -> HttpStatus.SERVICE_UNAVAILABLE;
        };
    }
}

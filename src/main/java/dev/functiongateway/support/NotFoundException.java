package dev.functiongateway.support;

/** The named thing does not exist (HTTP 404, gRPC NOT_FOUND). The message is shown to the client. */
public class NotFoundException extends RuntimeException {

    public NotFoundException(String message) {
        super(message);
    }
}

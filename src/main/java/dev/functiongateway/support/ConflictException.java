package dev.functiongateway.support;

/** The request contradicts what is stored (HTTP 409). The message is shown to the client. */
public class ConflictException extends RuntimeException {

    public ConflictException(String message) {
        super(message);
    }
}

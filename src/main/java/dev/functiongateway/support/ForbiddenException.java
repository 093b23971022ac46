package dev.functiongateway.support;

/** The key is valid but may not do this (HTTP 403). The message is shown to the client. */
public class ForbiddenException extends RuntimeException {

    public ForbiddenException(String message) {
        super(message);
    }
}

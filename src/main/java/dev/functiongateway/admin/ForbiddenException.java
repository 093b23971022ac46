package dev.functiongateway.admin;

/** The key is valid but may not do this (HTTP 403). */
public class ForbiddenException extends RuntimeException {

    public ForbiddenException(String message) {
        super(message);
    }
}

package dev.functiongateway.admin;

/** No usable key came with the request (HTTP 401). */
public class UnauthenticatedException extends RuntimeException {

    public UnauthenticatedException(String message) {
        super(message);
    }
}

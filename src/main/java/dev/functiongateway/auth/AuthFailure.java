package dev.functiongateway.auth;

/** Why a presented key was refused; also the {@code reason} label of the auth failure metric. */
public enum AuthFailure {
    MISSING("no API key: send 'authorization: Bearer <key>'"),
    MALFORMED("the API key is malformed: check that it was copied whole"),
    UNKNOWN("the API key is not known to this gateway"),
    EXPIRED("the API key has expired"),
    REVOKED("the API key has been revoked");

    private final String message;

    AuthFailure(String message) {
        this.message = message;
    }

    /** A message for the client; it never contains the key. */
    public String message() {
        return message;
    }
}

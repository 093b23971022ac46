package dev.functiongateway.auth;

/** Reads the key out of an {@code Authorization} value, as sent over HTTP and as gRPC metadata alike. */
public final class BearerToken {

    private static final String SCHEME = "Bearer ";

    private BearerToken() {
    }

    /** Returns the key, an empty string for a value that is not a bearer token, or null for no value. */
    public static String extract(String authorization) {
        if (authorization == null) {
            return null;
        }
        if (authorization.length() < SCHEME.length() || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return "";
        }
        return authorization.substring(SCHEME.length()).trim();
    }
}

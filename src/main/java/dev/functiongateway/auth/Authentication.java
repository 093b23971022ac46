package dev.functiongateway.auth;

/** The outcome of checking a presented key: exactly one of {@code key} and {@code failure} is set. */
public record Authentication(ApiKey key, AuthFailure failure) {

    static Authentication success(ApiKey key) {
        return new Authentication(key, null);
    }

    static Authentication failed(AuthFailure failure) {
        return new Authentication(null, failure);
    }

    public boolean succeeded() {
        return key != null;
    }
}

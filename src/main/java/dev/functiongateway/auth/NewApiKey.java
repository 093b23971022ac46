package dev.functiongateway.auth;

/** A key just created: the stored record and its value, which is shown this one time and never again. */
public record NewApiKey(ApiKey key, String value) {
}

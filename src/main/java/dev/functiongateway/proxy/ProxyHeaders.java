package dev.functiongateway.proxy;

import java.util.UUID;

import io.grpc.Metadata;

/** The metadata keys the proxy reads and writes, and what it removes before forwarding. */
final class ProxyHeaders {

    static final Metadata.Key<String> AUTHORIZATION = ascii("authorization");
    static final Metadata.Key<String> FUNCTION_ID = ascii("function-id");
    static final Metadata.Key<String> FUNCTION_VERSION_ID = ascii("function-version-id");
    static final Metadata.Key<String> REQUEST_ID = ascii("nvcf-reqid");
    static final Metadata.Key<String> TRACEPARENT = ascii("traceparent");

    /**
     * Never forwarded: the client's key, and headers of this hop. HTTP/1 connection headers need no entry:
     * HTTP/2 forbids them, so Netty refuses such a request before it becomes metadata. The deadline travels as
     * the upstream call's deadline, not as the client's {@code grpc-timeout} text.
     */
    private static final Metadata.Key<?>[] NOT_FORWARDED = {
            AUTHORIZATION, ascii("te"), ascii("host"), ascii("grpc-timeout") };

    private ProxyHeaders() {
    }

    /** Turns the client's headers into the worker's, in place: the key and hop headers out, the ids in. */
    static Metadata forUpstream(Metadata headers, String requestId, UUID versionId) {
        for (Metadata.Key<?> key : NOT_FORWARDED) {
            headers.discardAll(key);
        }
        headers.discardAll(REQUEST_ID);
        headers.put(REQUEST_ID, requestId);
        headers.discardAll(FUNCTION_VERSION_ID);
        headers.put(FUNCTION_VERSION_ID, versionId.toString());
        return headers;
    }

    /** Parses an optional UUID header; returns null if absent, throws IllegalArgumentException if malformed. */
    static UUID uuid(Metadata headers, Metadata.Key<String> key) {
        String value = headers.get(key);
        if (value == null) {
            return null;
        }
        try {
            return UUID.fromString(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key.name() + " '" + value + "' is not a UUID");
        }
    }

    /** The trace id of a W3C {@code traceparent} header ({@code 00-<trace id>-<span id>-<flags>}), or null. */
    static String traceId(Metadata headers) {
        String traceparent = headers.get(TRACEPARENT);
        if (traceparent == null || traceparent.length() < 55 || traceparent.charAt(2) != '-'
                || traceparent.charAt(35) != '-') {
            return null;
        }
        return traceparent.substring(3, 35);
    }

    private static Metadata.Key<String> ascii(String name) {
        return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
    }
}

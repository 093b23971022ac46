package dev.functiongateway.proxy;

import java.util.Map;
import java.util.UUID;

import dev.functiongateway.observability.CallRecord;
import dev.functiongateway.support.Ids;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/**
 * The headers the proxy reads and rewrites; everything else passes through as the client sent it. Stateless;
 * used on the event loop that owns the headers.
 */
final class ProxyHeaders {

    static final AsciiString AUTHORIZATION = AsciiString.cached("authorization");
    static final AsciiString FUNCTION_ID = AsciiString.cached("function-id");
    static final AsciiString FUNCTION_VERSION_ID = AsciiString.cached("function-version-id");
    static final AsciiString REQUEST_ID = AsciiString.cached("nvcf-reqid");
    static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");

    private ProxyHeaders() {
    }

    /**
     * Turns the client's request headers into the worker's, in place: the key out (it never goes upstream), the
     * session's request id and the resolved version in. HTTP/2 has no hop-by-hop headers to drop, and
     * {@code grpc-timeout} passes on as the client sent it, or as what is left of it after a wait for a slot.
     */
    static Http2Headers forUpstream(Http2Headers headers, String requestId, UUID versionId, long remainingNanos) {
        headers.remove(AUTHORIZATION);
        headers.set(REQUEST_ID, requestId);
        headers.set(FUNCTION_VERSION_ID, versionId.toString());
        if (remainingNanos >= 0) {
            headers.set(GrpcWire.GRPC_TIMEOUT, GrpcWire.timeoutValue(remainingNanos));
        }
        return headers;
    }

    /** Parses an optional UUID header; returns null if absent, throws IllegalArgumentException if malformed. */
    static UUID uuid(Http2Headers headers, AsciiString name) {
        CharSequence value = headers.get(name);
        if (value == null) {
            return null;
        }
        String text = value.toString().trim();
        if (!Ids.isCanonicalUuid(text)) {
            throw new IllegalArgumentException(name + " is not a UUID");
        }
        return Ids.parseUuid(text);
    }

    /**
     * The size of a header list as HTTP/2 counts it against SETTINGS_MAX_HEADER_LIST_SIZE: each name and value in
     * bytes (the codec's header strings are bytes, one per char), plus 32 per entry.
     */
    static long listSize(Http2Headers headers) {
        long size = 0;
        for (Map.Entry<CharSequence, CharSequence> header : headers) {
            size += header.getKey().length() + header.getValue().length() + 32;
        }
        return size;
    }

    /** The call's method as logs and metrics name it: its {@code :path} without the leading '/'; empty if none. */
    static String method(Http2Headers headers) {
        CharSequence path = headers.path();
        return path == null ? "" : path.toString().substring(path.length() > 0 && path.charAt(0) == '/' ? 1 : 0);
    }

    /** The trace id of the call's W3C {@code traceparent} header, or null. */
    static String traceId(Http2Headers headers) {
        CharSequence traceparent = headers.get(TRACEPARENT);
        return traceparent == null ? null : CallRecord.traceId(traceparent.toString());
    }
}

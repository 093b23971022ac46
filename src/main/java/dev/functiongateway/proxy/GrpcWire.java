package dev.functiongateway.proxy;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import io.grpc.Status;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/** The few pieces of the gRPC-over-HTTP/2 wire format the proxy writes or reads itself. Stateless; any thread. */
final class GrpcWire {

    static final AsciiString CONTENT_TYPE_GRPC = AsciiString.cached("application/grpc");
    static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
    static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
    static final AsciiString GRPC_TIMEOUT = AsciiString.cached("grpc-timeout");
    private static final AsciiString STATUS_200 = AsciiString.cached("200");
    private static final long MAX_TIMEOUT_VALUE = 99_999_999L;

    private GrpcWire() {
    }

    /** A gRPC message on the wire: the 5-byte prefix (not compressed, length) and the encoded message. */
    static byte[] framed(byte[] message) {
        byte[] framed = new byte[message.length + 5];
        framed[1] = (byte) (message.length >>> 24);
        framed[2] = (byte) (message.length >>> 16);
        framed[3] = (byte) (message.length >>> 8);
        framed[4] = (byte) message.length;
        System.arraycopy(message, 0, framed, 5, message.length);
        return framed;
    }

    /** Response headers that open a gRPC answer. */
    static Http2Headers responseHeaders() {
        return new DefaultHttp2Headers().status(STATUS_200).set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE_GRPC);
    }

    /** A trailers-only answer: the headers that open and end the call at once with this status. */
    static Http2Headers trailersOnly(Status status) {
        return withStatus(responseHeaders(), status);
    }

    /** Adds {@code grpc-status} and, if the status has one, the percent-encoded {@code grpc-message}. */
    static Http2Headers withStatus(Http2Headers headers, Status status) {
        headers.setInt(GRPC_STATUS, status.getCode().value());
        if (status.getDescription() != null) {
            headers.set(GRPC_MESSAGE, percentEncode(status.getDescription()));
        }
        return headers;
    }

    /**
     * The call's status code from {@code grpc-status}; without one, from an HTTP status other than 200 as gRPC
     * clients map it (a proxy or server in front of the worker answered instead of it); else null.
     */
    static Status.Code statusCode(Http2Headers headers) {
        CharSequence value = headers.get(GRPC_STATUS);
        if (value == null) {
            CharSequence http = headers.status();
            return http == null || STATUS_200.contentEquals(http) ? null : fromHttpStatus(http);
        }
        try {
            return Status.fromCodeValue(Integer.parseInt(value.toString())).getCode();
        } catch (NumberFormatException e) {
            return Status.Code.UNKNOWN;
        }
    }

    /** gRPC's mapping of an HTTP status that came without a gRPC status (doc/http-grpc-status-mapping.md). */
    private static Status.Code fromHttpStatus(CharSequence status) {
        return switch (status.toString()) {
            case "400" -> Status.Code.INTERNAL;
            case "401" -> Status.Code.UNAUTHENTICATED;
            case "403" -> Status.Code.PERMISSION_DENIED;
            case "404" -> Status.Code.UNIMPLEMENTED;
            case "429", "502", "503", "504" -> Status.Code.UNAVAILABLE;
            default -> Status.Code.UNKNOWN;
        };
    }

    /** gRPC's percent-encoding of {@code grpc-message}: UTF-8, with '%' and bytes outside printable ASCII escaped. */
    static String percentEncode(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            if (b >= ' ' && b <= '~' && b != '%') {
                out.append((char) b);
            } else {
                out.append('%').append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            }
        }
        return out.toString();
    }

    /**
     * The timeout of a {@code grpc-timeout} value (at most 8 digits and a unit: H, M, S, m, u, n), in nanoseconds;
     * -1 if absent, -2 if malformed.
     */
    static long timeoutNanos(CharSequence value) {
        if (value == null) {
            return -1;
        }
        int length = value.length();
        if (length < 2 || length > 9) {
            return -2;
        }
        long amount = 0;
        for (int i = 0; i < length - 1; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -2;
            }
            amount = amount * 10 + (c - '0');
        }
        return switch (value.charAt(length - 1)) {
            case 'H' -> TimeUnit.HOURS.toNanos(amount);
            case 'M' -> TimeUnit.MINUTES.toNanos(amount);
            case 'S' -> TimeUnit.SECONDS.toNanos(amount);
            case 'm' -> TimeUnit.MILLISECONDS.toNanos(amount);
            case 'u' -> TimeUnit.MICROSECONDS.toNanos(amount);
            case 'n' -> amount;
            default -> -2;
        };
    }

    /** A {@code grpc-timeout} value for this many nanoseconds, in the finest unit that fits 8 digits. */
    static String timeoutValue(long nanos) {
        long value = Math.max(nanos, 0);
        char[] units = { 'n', 'u', 'm', 'S', 'M', 'H' };
        long[] divisors = { 1000, 1000, 1000, 60, 60 };
        int unit = 0;
        while (value > MAX_TIMEOUT_VALUE && unit < divisors.length) {
            // Rounded up (a deadline passed on is never shortened), without the overflow of value + divisor - 1
            // within a microsecond of Long.MAX_VALUE (found by GrpcWireFuzzTest).
            value = value / divisors[unit] + (value % divisors[unit] == 0 ? 0 : 1);
            unit++;
        }
        return Math.min(value, MAX_TIMEOUT_VALUE) + String.valueOf(units[unit]);
    }
}

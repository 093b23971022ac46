package dev.functiongateway.observability;

import java.net.SocketAddress;
import java.util.UUID;

import io.grpc.Status;

/**
 * One gRPC call as it ended: what the access log prints and the call metrics count. Ids are null when the call
 * ended before they were known (a refused call has no version or request id).
 *
 * @param reachedWorker true if the call was forwarded and the worker answered it with something other than
 *                      UNIMPLEMENTED; only then does its method name become a metric label
 * @param listener      {@code grpc}, or {@code http} for a request on the HTTP route (then {@code method} is the
 *                      HTTP method and path, {@code httpStatus} the status answered, and {@code code} unused)
 */
public record CallRecord(
        String requestId,
        SocketAddress clientAddress,
        UUID functionId,
        UUID versionId,
        String method,
        Status.Code code,
        long durationNanos,
        long requestBytes,
        long responseBytes,
        long requestMessages,
        long responseMessages,
        UUID keyId,
        String traceId,
        boolean reachedWorker,
        String listener,
        int httpStatus) {

    /** A gRPC call. */
    public CallRecord(String requestId, SocketAddress clientAddress, UUID functionId, UUID versionId, String method,
            Status.Code code, long durationNanos, long requestBytes, long responseBytes, long requestMessages,
            long responseMessages, UUID keyId, String traceId, boolean reachedWorker) {
        this(requestId, clientAddress, functionId, versionId, method, code, durationNanos, requestBytes, responseBytes,
                requestMessages, responseMessages, keyId, traceId, reachedWorker, "grpc", 0);
    }

    /** A request on the HTTP route; {@code method} is {@code "<HTTP method> <path>"}. */
    public static CallRecord http(String requestId, SocketAddress clientAddress, UUID functionId, UUID versionId,
            String method, int httpStatus, long durationNanos, long requestBytes, long responseBytes, UUID keyId,
            String traceparent, boolean reachedWorker) {
        return new CallRecord(requestId, clientAddress, functionId, versionId, method, Status.Code.OK, durationNanos,
                requestBytes, responseBytes, 0, 0, keyId, traceId(traceparent), reachedWorker, "http", httpStatus);
    }

    /** The trace id of a W3C {@code traceparent} header ({@code 00-<trace id>-<span id>-<flags>}), or null. */
    public static String traceId(String traceparent) {
        if (traceparent == null || traceparent.length() < 55 || traceparent.charAt(2) != '-'
                || traceparent.charAt(35) != '-') {
            return null;
        }
        String id = traceparent.substring(3, 35);
        return id.chars().allMatch(c -> Character.digit(c, 16) >= 0) ? id : null;
    }
}

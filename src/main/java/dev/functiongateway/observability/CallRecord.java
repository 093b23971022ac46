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
        boolean reachedWorker) {
}

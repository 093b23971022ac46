package dev.functiongateway.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.util.UUID;

import dev.functiongateway.observability.CallMetrics.FunctionMeters;
import dev.functiongateway.observability.CallRecord;
import dev.functiongateway.routing.Session;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;

/**
 * One proxied call: the client's {@link ServerCall} joined to a {@link ClientCall} on the session's worker.
 * Messages pass through one at a time each way: the next is requested only once the other side is ready for
 * it, so a slow reader on either side slows the writer and memory stays bounded.
 *
 * <p>Threading: the server-side callbacks (this class) are serialized by grpc, as are the upstream ones
 * ({@link Upstream}); the two sides run concurrently and meet only under this object's lock. Until
 * {@link #start} the upstream call does not exist and no client message is requested. Each side counts its
 * own messages; the totals are read once the call has ended.
 */
final class ProxyCall extends ServerCall.Listener<InputStream> {

    private final ServerCall<InputStream, InputStream> serverCall;
    private final Metadata headers;
    private final Deadline deadline;
    private final ProxyServices services;
    private final long startNanos = System.nanoTime();

    private UUID functionId;
    private UUID keyId;
    private FunctionMeters meters;

    // Written once under the lock in start(); read by callbacks of both sides, which follow it.
    private volatile ClientCall<InputStream, InputStream> clientCall;
    private volatile Session session;
    private boolean halfClosedBeforeStart;
    private boolean cancelled;
    private boolean closed;
    private boolean shuttingDown;
    private boolean clientMessageWanted;
    private boolean workerMessageWanted;
    private Status closedWith;
    private boolean workerAnswered;
    private long requestMessages;
    private long requestBytes;
    private long responseMessages;
    private long responseBytes;

    ProxyCall(ServerCall<InputStream, InputStream> serverCall, Metadata headers, ProxyServices services) {
        this.serverCall = serverCall;
        this.headers = headers;
        this.deadline = Context.current().getDeadline();
        this.services = services;
    }

    /** Ends the call at admission with this status; it never reaches a worker. The ids may be null. */
    void refuse(Status status, UUID function, UUID key) {
        functionId = function;
        keyId = key;
        closedWith = status;
        serverCall.close(status, new Metadata());
        record(status.getCode());
    }

    /** The call passed admission for this function with this key: from now on it is in flight and counted. */
    void admitted(UUID function, UUID key, FunctionMeters functionMeters) {
        functionId = function;
        keyId = key;
        meters = functionMeters;
        services.inFlight().add(this);
    }

    /** Starts the upstream call on the session's worker. Any thread. */
    void start(Session pinned) {
        ClientCall<InputStream, InputStream> call = pinned.worker().channel()
                .newCall(serverCall.getMethodDescriptor(), CallOptions.DEFAULT.withDeadline(deadline));
        synchronized (this) {
            if (cancelled || closed) {
                return;
            }
            session = pinned;
            clientCall = call;
            call.start(new Upstream(), ProxyHeaders.forUpstream(headers, pinned.requestId(), pinned.versionId()));
            call.request(1);
            serverCall.request(1);
            if (halfClosedBeforeStart) {
                call.halfClose();
            }
        }
    }

    /**
     * The gateway is shutting down: ends the call with UNAVAILABLE. A started call is ended through its upstream
     * cancel, so that the client side is still written from the upstream callbacks only. Any thread.
     */
    void endForShutdown() {
        ClientCall<InputStream, InputStream> call;
        synchronized (this) {
            shuttingDown = true;
            call = clientCall;
        }
        if (call != null) {
            call.cancel("the gateway is shutting down", null);
        } else {
            fail(shutdownStatus());
        }
    }

    private static Status shutdownStatus() {
        return Status.UNAVAILABLE.withDescription("the gateway is shutting down; call again on a new connection");
    }

    /** Ends the call before it reached a worker. Any thread. */
    void fail(Status status) {
        synchronized (this) {
            if (cancelled || closed) {
                return;
            }
            closed = true;
            closedWith = status;
        }
        serverCall.close(status, new Metadata());
    }

    @Override
    public void onMessage(InputStream message) {
        ClientCall<InputStream, InputStream> call = clientCall;
        requestMessages++;
        int size = sizeOf(message);
        requestBytes += size;
        meters.requestMessages().increment();
        meters.requestBytes().increment(size);
        call.sendMessage(message);
        synchronized (this) {
            if (call.isReady()) {
                serverCall.request(1);
            } else {
                clientMessageWanted = true;
            }
        }
    }

    @Override
    public void onHalfClose() {
        ClientCall<InputStream, InputStream> call;
        synchronized (this) {
            call = clientCall;
            if (call == null) {
                halfClosedBeforeStart = true;
                return;
            }
        }
        call.halfClose();
    }

    @Override
    public void onCancel() {
        ClientCall<InputStream, InputStream> call;
        synchronized (this) {
            cancelled = true;
            call = clientCall;
        }
        if (call != null) {
            call.cancel("the client cancelled the call", null);
        }
        ended(deadline != null && deadline.isExpired() ? Status.Code.DEADLINE_EXCEEDED : Status.Code.CANCELLED);
    }

    @Override
    public void onComplete() {
        Status status;
        synchronized (this) {
            status = closedWith;
        }
        ended(status == null ? Status.Code.UNKNOWN : status.getCode());
    }

    /** The client can take more: resume reading from the worker. */
    @Override
    public void onReady() {
        synchronized (this) {
            if (workerMessageWanted) {
                workerMessageWanted = false;
                clientCall.request(1);
            }
        }
    }

    private void ended(Status.Code code) {
        services.inFlight().remove(this);
        record(code);
    }

    private void record(Status.Code code) {
        Session pinned = session;
        boolean answered;
        synchronized (this) {
            answered = workerAnswered;
        }
        services.observer().callEnded(new CallRecord(pinned == null ? null : pinned.requestId(),
                serverCall.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR), functionId,
                pinned == null ? null : pinned.versionId(), serverCall.getMethodDescriptor().getFullMethodName(), code,
                System.nanoTime() - startNanos, requestBytes, responseBytes, requestMessages, responseMessages, keyId,
                ProxyHeaders.traceId(headers), answered));
    }

    /** The message's size: grpc's message streams know their length, so this reads nothing. */
    private static int sizeOf(InputStream message) {
        try {
            return message.available();
        } catch (IOException e) {
            return 0;
        }
    }

    private final class Upstream extends ClientCall.Listener<InputStream> {

        private boolean headersSent;

        @Override
        public void onHeaders(Metadata responseHeaders) {
            responseHeaders.discardAll(ProxyHeaders.REQUEST_ID);
            responseHeaders.put(ProxyHeaders.REQUEST_ID, session.requestId());
            serverCall.sendHeaders(responseHeaders);
            headersSent = true;
        }

        @Override
        public void onMessage(InputStream message) {
            responseMessages++;
            int size = sizeOf(message);
            responseBytes += size;
            meters.responseMessages().increment();
            meters.responseBytes().increment(size);
            serverCall.sendMessage(message);
            synchronized (ProxyCall.this) {
                if (serverCall.isReady()) {
                    clientCall.request(1);
                } else {
                    workerMessageWanted = true;
                }
            }
        }

        /** The worker can take more: resume reading from the client. */
        @Override
        public void onReady() {
            synchronized (ProxyCall.this) {
                if (clientMessageWanted) {
                    clientMessageWanted = false;
                    serverCall.request(1);
                }
            }
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            // A worker's own status has no cause; a connection that failed before any answer has one.
            boolean unreachable = !headersSent && status.getCode() == Status.Code.UNAVAILABLE
                    && status.getCause() != null;
            if (!headersSent) {
                // Trailers-only answer: the request id goes with the trailers.
                trailers.discardAll(ProxyHeaders.REQUEST_ID);
                trailers.put(ProxyHeaders.REQUEST_ID, session.requestId());
            }
            if (unreachable) {
                services.health().reportUnreachable(session.worker());
                status = Status.UNAVAILABLE.withDescription("worker " + session.worker().instance().address()
                        + " is unreachable: " + status.getDescription()).withCause(status.getCause());
            }
            synchronized (ProxyCall.this) {
                if (closed) {
                    return;
                }
                closed = true;
                if (shuttingDown) {
                    status = shutdownStatus();
                }
                closedWith = status;
                workerAnswered = !unreachable && !shuttingDown && status.getCode() != Status.Code.UNIMPLEMENTED;
            }
            serverCall.close(status, trailers);
        }
    }
}

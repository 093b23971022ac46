package dev.functiongateway.proxy;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import dev.functiongateway.auth.ApiKey;
import dev.functiongateway.auth.Authentication;
import dev.functiongateway.observability.CallMetrics.FunctionMeters;
import dev.functiongateway.observability.CallRecord;
import dev.functiongateway.registry.InferenceProtocol;
import dev.functiongateway.registry.RegistrySnapshot.FunctionEntry;
import dev.functiongateway.registry.RegistrySnapshot.VersionEntry;
import dev.functiongateway.routing.ConnectionSessions.SessionKey;
import dev.functiongateway.routing.InvocationAdmission.Admission;
import dev.functiongateway.routing.InvocationAdmission.Refusal;
import dev.functiongateway.routing.RoutingException;
import dev.functiongateway.routing.Session;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One proxied call, from its request HEADERS to its end: admission (key, function), its connection's session
 * (one worker, one {@code nvcf-reqid}), then a stream on that worker's connection, with HEADERS, DATA, trailers
 * and RST_STREAM passed on as they arrive, both ways. No message is assembled: DATA frames are handed on as
 * retained buffers, those of one event-loop turn in one write ({@link PendingData}), and each side's flow-control
 * window is returned only once the other side has taken the bytes ({@link FlowWindows}). Messages are counted by
 * following their 5-byte prefixes.
 *
 * <p>Threading: confined to the client connection's event loop, which also runs the worker connection it uses
 * ({@link Upstreams} keeps one per worker per event loop), so both halves meet without locks. The one foreign
 * thread is the session's future, whose result is handed to the event loop.
 */
final class ProxyStream {

    private static final String LISTENER = "grpc";
    private static final AsciiString GRPC_CONTENT_TYPE_PREFIX = GrpcWire.CONTENT_TYPE_GRPC;

    private final ClientConnection client;
    private final ProxyServices services;
    private final int clientStreamId;
    private final Http2Headers requestHeaders;
    private final long startNanos = System.nanoTime();
    /** The client's deadline as a {@link System#nanoTime()} instant; meaningful when {@link #hasDeadline}. */
    private final long deadlineNanos;
    private final boolean hasDeadline;
    private final boolean malformedTimeout;
    private final GrpcMessageCounter requests = new GrpcMessageCounter();
    private final GrpcMessageCounter responses = new GrpcMessageCounter();

    private UUID functionId;
    private UUID keyId;
    /** The admitted key, checked again while the call runs ({@link #keyStillValid}). */
    private ApiKey key;
    private FunctionMeters meters;
    private Session session;
    /** The connection's session this call waits for while it is set up (in the queue), else null. */
    private CompletableFuture<Session> waitingFor;
    private ScheduledFuture<?> deadlineTimer;
    private UpstreamConnection upstream;
    private int upstreamStreamId;
    /**
     * Client DATA not yet written to the worker: this turn's frames, or all that came before the worker's stream
     * was open (held within the client's stream window).
     */
    private final PendingData toWorker;
    /** Worker DATA of this turn, not yet written to the client. */
    private final PendingData toClient;
    /** Waiting in a connection's list for the end of its reads ({@link #readsDone}). */
    private boolean relayQueued;
    private boolean clientEnded;
    private boolean responseStarted;
    private boolean reachedWorker;
    private boolean ended;

    ProxyStream(ClientConnection client, int clientStreamId, Http2Headers requestHeaders, boolean endOfStream) {
        this.client = client;
        this.services = client.services();
        this.toWorker = new PendingData(services.metrics().bufferedBytes);
        this.toClient = new PendingData(services.metrics().bufferedBytes);
        this.clientStreamId = clientStreamId;
        this.requestHeaders = requestHeaders;
        this.clientEnded = endOfStream;
        long timeout = GrpcWire.timeoutNanos(requestHeaders.get(GrpcWire.GRPC_TIMEOUT));
        this.hasDeadline = timeout >= 0;
        this.malformedTimeout = timeout == -2;
        this.deadlineNanos = startNanos + Math.max(timeout, 0);
    }

    int clientStreamId() {
        return clientStreamId;
    }

    // ---- Admission and session: once, at the request HEADERS ----

    /** Checks the request, the key and the function; then waits for the connection's session on the worker. */
    void admit() {
        CharSequence method = requestHeaders.method();
        if (method == null || !HttpMethod.POST.asciiName().contentEquals(method)
                || !startsWith(requestHeaders.get(HttpHeaderNames.CONTENT_TYPE), GRPC_CONTENT_TYPE_PREFIX)) {
            // Not a gRPC request: an HTTP answer, as a gRPC server gives.
            client.writeHeaders(clientStreamId, new DefaultHttp2Headers()
                    .status(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE.codeAsText()), true);
            ended = true;
            client.ended(this);
            return;
        }
        if (malformedTimeout) {
            refuse(Status.INVALID_ARGUMENT.withDescription("grpc-timeout is malformed"));
            return;
        }
        UUID versionId;
        try {
            functionId = client.functionId(requestHeaders);
            versionId = ProxyHeaders.uuid(requestHeaders, ProxyHeaders.FUNCTION_VERSION_ID);
        } catch (IllegalArgumentException e) {
            functionId = null;
            refuse(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
            return;
        }
        if (functionId == null) {
            refuse(Status.INVALID_ARGUMENT.withDescription(
                    "function-id metadata is required: the UUID of the function to invoke"));
            return;
        }
        Admission admitted = services.admission().admit(
                client.authenticate(requestHeaders.get(ProxyHeaders.AUTHORIZATION)), functionId, versionId, LISTENER);
        if (!admitted.admitted()) {
            keyId = admitted.key() == null ? null : admitted.key().id();
            refuse(statusOf(admitted.refusal()).withDescription(admitted.message()));
            return;
        }
        key = admitted.key();
        keyId = key.id();
        if (!servesGrpc(admitted.function(), versionId)) {
            refuse(Status.FAILED_PRECONDITION.withDescription("function " + functionId + " is an HTTP function:"
                    + " invoke it on the HTTP listener, POST /v2/nvcf/pexec/functions/" + functionId));
            return;
        }
        meters = services.observer().metrics().meters(functionId);
        services.metrics().calls.incrementAndGet();
        UUID function = functionId;
        ApiKey admittedKey = key;
        CharSequence named = requestHeaders.get(ProxyHeaders.REQUEST_ID);
        // A call naming a session (the reconnect flow) attaches this connection to it; else the connection's own.
        CompletableFuture<Session> pinned = named == null
                ? client.sessions().session(new SessionKey(functionId, versionId),
                        () -> timed(function, services.router().open(function, versionId, admittedKey)))
                : client.sessions().resumed(named.toString(),
                        () -> services.router().resume(named.toString(), admittedKey, function, LISTENER));
        if (pinned.isDone()) {
            sessionReady(pinned);
            return;
        }
        waitingFor = pinned;
        client.sessions().waiting(pinned);
        if (hasDeadline) {
            deadlineTimer = client.context().executor().schedule(() -> refuse(Status.DEADLINE_EXCEEDED
                    .withDescription("the deadline passed while the call waited for a worker slot")),
                    deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
        pinned.whenComplete((s, e) -> client.context().executor().execute(() -> sessionReady(pinned)));
    }

    /**
     * Times the session's set-up. Returns {@code opening} itself, not a dependent future, so that the connection
     * closing can cancel the wait; a cancelled wait is neither a success nor a failure, and is not timed.
     */
    private CompletableFuture<Session> timed(UUID function, CompletableFuture<Session> opening) {
        long start = System.nanoTime();
        opening.whenComplete((s, error) -> {
            if (!opening.isCancelled()) {
                services.observer().metrics().sessionSetUp(function, System.nanoTime() - start, error == null);
            }
        });
        return opening;
    }

    private void sessionReady(CompletableFuture<Session> pinned) {
        if (ended) {
            return;
        }
        stopWaiting();
        cancelDeadlineTimer();
        Session s;
        try {
            s = pinned.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            refuse(statusOf(e));
            return;
        }
        if (!key.allows(functionId, s.versionId())) {
            refuse(Status.PERMISSION_DENIED.withDescription("this connection's session for function " + functionId
                    + " is on version " + s.versionId() + ", which this key may not invoke"));
            return;
        }
        if (!client.addCallOnSession(s)) {
            refuse(Status.RESOURCE_EXHAUSTED.withDescription("this connection already has "
                    + services.properties().maxCallsPerSession() + " calls in flight to function " + functionId
                    + " (gateway.proxy.max-calls-per-session)"));
            return;
        }
        session = s;
        long remaining = -1;
        if (hasDeadline) {
            remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                refuse(Status.DEADLINE_EXCEEDED.withDescription("the deadline passed while the call waited for a"
                        + " worker slot"));
                return;
            }
        }
        ProxyHeaders.forUpstream(requestHeaders, s.requestId(), s.versionId(), remaining);
        services.upstreams().connection(client.context().channel().eventLoop(), s.worker()).open(this);
    }

    // ---- The worker's stream ----

    /** The worker connection is ready for this call: open its stream, and send what the client sent so far. */
    void upstreamReady(UpstreamConnection connection) {
        if (ended) {
            return;
        }
        upstream = connection;
        boolean endNow = clientEnded && !toWorker.hasBytes();
        upstreamStreamId = connection.openStream(requestHeaders, endNow, this);
        if (upstreamStreamId < 0) {
            return;
        }
        if (endNow) {
            toWorker.release();
        } else if (toWorker.hasBytes()) {
            if (clientEnded) {
                toWorker.end(); // ended by trailers, which are not forwarded before the worker's stream is open
            }
            relayToWorker();
        }
    }

    /** The reads of a connection in this event-loop turn are over: pass on what they gave this call. */
    void readsDone() {
        relayQueued = false;
        if (ended) {
            return;
        }
        if (upstreamStreamId > 0 && !toWorker.isEmpty()) {
            relayToWorker();
        }
        if (!toClient.isEmpty()) {
            relayToClient();
        }
    }

    private void relayToWorker() {
        toWorker.writeTo(upstream, upstreamStreamId, client, clientStreamId);
    }

    private void relayToClient() {
        toClient.writeTo(client, clientStreamId, upstream, upstreamStreamId);
    }

    /** Has {@code connection} call {@link #readsDone} at the end of its reads, once. */
    private void relayAfterReads(ProxyConnection connection) {
        if (!relayQueued) {
            relayQueued = true;
            connection.afterReads(this);
        }
    }

    void upstreamHeaders(Http2Headers headers, boolean endOfStream) {
        if (ended) {
            return;
        }
        reachedWorker = true;
        if (!responseStarted) {
            responseStarted = true;
            headers.set(ProxyHeaders.REQUEST_ID, session.requestId());
        }
        if (!toClient.isEmpty()) {
            relayToClient(); // trailers go after the DATA read before them
        }
        client.writeHeaders(clientStreamId, headers, endOfStream);
        if (endOfStream) {
            finish(GrpcWire.statusCode(headers));
        }
    }

    /** A DATA frame from the worker: on to the client; the worker's window reopens once it is written. */
    void upstreamData(ByteBuf data, boolean endOfStream) {
        if (ended) {
            return;
        }
        count(data, responses, meters.responseBytes(), meters.responseMessages());
        toClient.add(client.alloc(), data, endOfStream);
        if (endOfStream) {
            relayToClient();
            finish(null);
        } else {
            relayAfterReads(upstream);
        }
    }

    /** The worker reset the stream: so does the client's side. */
    void upstreamReset(long errorCode) {
        if (ended) {
            return;
        }
        Http2Error error = Http2Error.valueOf(errorCode);
        client.reset(clientStreamId, error == null ? Http2Error.INTERNAL_ERROR : error);
        finish(error == Http2Error.CANCEL ? Status.Code.CANCELLED : Status.Code.UNAVAILABLE);
    }

    /**
     * The worker never saw this call (GOAWAY before it, or a stream it could not take): the client is told
     * REFUSED_STREAM, which gRPC clients retry by themselves, on a new connection to the worker.
     */
    void upstreamRefused() {
        if (ended) {
            return;
        }
        client.reset(clientStreamId, Http2Error.REFUSED_STREAM);
        finish(Status.Code.UNAVAILABLE);
    }

    /** The worker's connection failed or closed under the call. */
    void upstreamFailed(Status status, boolean unreachable) {
        if (ended) {
            return;
        }
        if (unreachable) {
            services.health().reportUnreachable(session.worker());
        }
        endWith(status);
    }

    // ---- The client's side ----

    /** A client DATA frame. Returns false if the call no longer takes data (its window comes back at once). */
    boolean clientData(ByteBuf data, boolean endOfStream) {
        if (ended || meters == null) {
            return false;
        }
        count(data, requests, meters.requestBytes(), meters.requestMessages());
        clientEnded |= endOfStream;
        toWorker.add(client.alloc(), data, endOfStream);
        if (upstreamStreamId > 0) {
            relayAfterReads(client);
        }
        return true;
    }

    void clientTrailers(Http2Headers trailers, boolean endOfStream) {
        if (ended || !endOfStream) {
            return;
        }
        clientEnded = true;
        if (upstreamStreamId > 0) {
            if (toWorker.hasBytes()) {
                relayToWorker(); // the trailers go after the DATA read before them
            }
            upstream.writeTrailers(upstreamStreamId, trailers);
        }
    }

    /** The client cancelled (RST_STREAM): the worker sees the cancel. */
    void clientReset(long errorCode) {
        if (ended) {
            return;
        }
        resetWorkerStream();
        finish(hasDeadline && System.nanoTime() - deadlineNanos >= 0 ? Status.Code.DEADLINE_EXCEEDED
                : Status.Code.CANCELLED);
    }

    /** The client's connection closed. */
    void clientGone() {
        clientReset(Http2Error.CANCEL.code());
    }

    /**
     * Ends the call with UNAUTHENTICATED if its key was revoked or expired since admission; the worker sees the
     * cancel. Called every {@code gateway.registry.refresh-interval} for calls in flight.
     */
    void keyStillValid() {
        if (ended || key == null) {
            return;
        }
        Authentication now = services.keys().recheck(key);
        if (!now.succeeded()) {
            resetWorkerStream();
            endWith(Status.UNAUTHENTICATED.withDescription(now.failure().message()));
        }
    }

    /** Shutdown after the drain time: the call ends with this status, and the worker sees the cancel. */
    void endForShutdown(Status status) {
        if (ended) {
            return;
        }
        resetWorkerStream();
        endWith(status);
    }

    // ---- Ending ----

    /** Ends the call towards the client with a gRPC status: in trailers, or trailers-only if nothing was sent. */
    private void endWith(Status status) {
        if (toClient.hasBytes()) {
            relayToClient(); // what the worker sent still reaches the client, before the status
        }
        Http2Headers trailers = responseStarted ? new DefaultHttp2Headers() : GrpcWire.responseHeaders();
        GrpcWire.withStatus(trailers, status);
        if (session != null && !responseStarted) {
            trailers.set(ProxyHeaders.REQUEST_ID, session.requestId());
        }
        client.writeHeaders(clientStreamId, trailers, true);
        if (client.clientStillSending(clientStreamId)) {
            client.reset(clientStreamId, Http2Error.NO_ERROR);
        }
        finish(status.getCode());
    }

    /** Ends a call that never reached a worker with this status. */
    private void refuse(Status status) {
        if (ended) {
            return;
        }
        endWith(status);
    }

    private void resetWorkerStream() {
        if (upstreamStreamId > 0) {
            upstream.reset(upstreamStreamId, Http2Error.CANCEL);
        }
    }

    /** The one place a call ends: its stream maps, its counts, its record. */
    private void finish(Status.Code code) {
        ended = true;
        stopWaiting();
        cancelDeadlineTimer();
        toWorker.release();
        toClient.release();
        if (upstreamStreamId > 0) {
            upstream.forget(upstreamStreamId);
        }
        if (session != null) {
            client.removeCallOnSession(session);
        }
        if (meters != null) {
            services.metrics().calls.decrementAndGet();
        }
        client.ended(this);
        record(code == null ? Status.Code.UNKNOWN : code);
    }

    private void record(Status.Code code) {
        services.observer().callEnded(new CallRecord(session == null ? null : session.requestId(),
                client.remoteAddress(), functionId, session == null ? null : session.versionId(),
                ProxyHeaders.method(requestHeaders), code, System.nanoTime() - startNanos, requests.payloadBytes(),
                responses.payloadBytes(), requests.messages(), responses.messages(), keyId,
                ProxyHeaders.traceId(requestHeaders),
                reachedWorker && code != Status.Code.UNIMPLEMENTED));
    }

    /** Counts a DATA frame as it passes: its bytes, and the messages whose prefixes it carries. */
    private static void count(ByteBuf data, GrpcMessageCounter counter, Counter bytes, Counter messages) {
        long before = counter.messages();
        counter.follow(data);
        bytes.increment(data.readableBytes());
        if (counter.messages() != before) {
            messages.increment(counter.messages() - before);
        }
    }

    /** The call no longer waits for its session: it has it, or it gave up (which may take the wait off the queue). */
    private void stopWaiting() {
        if (waitingFor != null) {
            client.sessions().stoppedWaiting(waitingFor);
            waitingFor = null;
        }
    }

    private void cancelDeadlineTimer() {
        if (deadlineTimer != null) {
            deadlineTimer.cancel(false);
            deadlineTimer = null;
        }
    }

    private static Status statusOf(Refusal refusal) {
        return switch (refusal) {
            case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
            case PERMISSION_DENIED -> Status.PERMISSION_DENIED;
            case NOT_FOUND -> Status.NOT_FOUND;
            case UNAVAILABLE -> Status.UNAVAILABLE;
        };
    }

    private static Status statusOf(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof RoutingException routing ? routing.status()
                : Status.INTERNAL.withDescription("the gateway failed to route the call");
    }

    /** True if the version named (or, with none named, any ACTIVE version) is a gRPC function's. */
    private static boolean servesGrpc(FunctionEntry function, UUID versionId) {
        if (versionId != null) {
            return function.versions().get(versionId).version().inferenceProtocol() == InferenceProtocol.GRPC;
        }
        for (VersionEntry version : function.versions().values()) {
            if (version.version().status().servesCalls()
                    && version.version().inferenceProtocol() == InferenceProtocol.GRPC) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWith(CharSequence value, AsciiString prefix) {
        return value != null && AsciiString.regionMatches(value, false, 0, prefix, 0, prefix.length());
    }
}

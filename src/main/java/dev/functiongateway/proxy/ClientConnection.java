package dev.functiongateway.proxy;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.functiongateway.auth.ApiKey;
import dev.functiongateway.auth.Authentication;
import dev.functiongateway.auth.BearerToken;
import dev.functiongateway.observability.CallRecord;
import dev.functiongateway.routing.ConnectionSessions;
import dev.functiongateway.routing.Session;
import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.AsciiString;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One client TCP connection on the proxy listener: its HTTP/2 codec, its calls by stream id, and its sessions,
 * which pin all its calls to one function onto one worker. Closes itself after
 * {@code gateway.proxy.idle-timeout} without a call in flight, which releases its sessions.
 *
 * <p>Threading: everything here, and in its {@link ProxyStream}s, runs on the connection's event loop.
 */
final class ClientConnection extends ProxyConnection {

    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

    private final ProxyServices services;
    private final ProxyListener listener;
    private final IntObjectMap<ProxyStream> calls = new IntObjectHashMap<>();
    /** The gateway's own health checks waiting for their request, by stream id. */
    private final IntObjectMap<GatewayHealthAnswer> healthChecks = new IntObjectHashMap<>();
    private final ConnectionSessions sessions = new ConnectionSessions();
    /** Calls in flight per session of this connection, against {@code gateway.proxy.max-calls-per-session}. */
    private final Map<Session, int[]> callsPerSession = new IdentityHashMap<>();
    /**
     * The authorization value last accepted on this connection, and its key: clients send one key per connection,
     * and re-checking a known key is an index lookup, where a new one is parsed, checksummed and hashed.
     */
    private CharSequence knownAuthorization;
    private ApiKey knownKey;
    /** The {@code function-id} value last parsed on this connection, and its UUID: most connections call one. */
    private CharSequence knownFunctionIdValue;
    private UUID knownFunctionId;
    /**
     * When the last call ended, or the connection opened ({@link System#nanoTime}); read only while no call is in
     * flight. A call's end stamps it rather than rescheduling a timer, so a busy connection costs no timer work
     * per call: one check per idle timeout looks at it ({@link #checkIdle}).
     */
    private long idleSince;
    private ScheduledFuture<?> idleCheck;
    private boolean draining;

    private ClientConnection(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings,
            ProxyServices services, ProxyListener listener) {
        super(decoder, encoder, settings, services.properties());
        this.services = services;
        this.listener = listener;
        decoder.frameListener(new Frames());
    }

    static ClientConnection create(ProxyServices services, ProxyListener listener) {
        return Http2Handlers.forClients(services.properties(),
                (decoder, encoder, settings) -> new ClientConnection(decoder, encoder, settings, services, listener));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx);
        listener.opened(this);
        idleSince = System.nanoTime();
        scheduleIdleCheck(services.properties().idleTimeout().toNanos());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (idleCheck != null) {
            idleCheck.cancel(false);
        }
        for (ProxyStream call : new ArrayList<>(calls.values())) {
            call.clientGone();
        }
        sessions.close();
        listener.closed(this);
        super.channelInactive(ctx);
    }

    @Override
    protected Object peer() {
        return ctx.channel().remoteAddress();
    }

    ProxyServices services() {
        return services;
    }

    ConnectionSessions sessions() {
        return sessions;
    }

    SocketAddress remoteAddress() {
        return ctx.channel().remoteAddress();
    }

    /**
     * Checks the {@code authorization} value of a call (null if absent): the key as it stands now in the index,
     * so a revoked or expired key is refused even on a connection that used it before.
     */
    Authentication authenticate(CharSequence authorization) {
        if (knownKey != null && authorization != null
                && AsciiString.contentEquals(authorization, knownAuthorization)) {
            return services.keys().recheck(knownKey);
        }
        Authentication auth = services.keys().authenticate(
                BearerToken.extract(authorization == null ? null : authorization.toString()));
        if (auth.succeeded()) {
            knownAuthorization = AsciiString.of(authorization);
            knownKey = auth.key();
        }
        return auth;
    }

    /**
     * The call's {@code function-id}, or null if it has none.
     *
     * @throws IllegalArgumentException if it is not a UUID
     */
    UUID functionId(Http2Headers requestHeaders) {
        CharSequence value = requestHeaders.get(ProxyHeaders.FUNCTION_ID);
        if (knownFunctionId != null && value != null && AsciiString.contentEquals(value, knownFunctionIdValue)) {
            return knownFunctionId;
        }
        UUID id = ProxyHeaders.uuid(requestHeaders, ProxyHeaders.FUNCTION_ID);
        if (id != null) {
            knownFunctionIdValue = AsciiString.of(value);
            knownFunctionId = id;
        }
        return id;
    }

    /** Counts a call onto its session; false (and nothing counted) if the session has its most calls already. */
    boolean addCallOnSession(Session session) {
        int[] count = callsPerSession.computeIfAbsent(session, s -> new int[1]);
        if (count[0] >= services.properties().maxCallsPerSession()) {
            return false;
        }
        count[0]++;
        return true;
    }

    void removeCallOnSession(Session session) {
        int[] count = callsPerSession.get(session);
        if (count != null && --count[0] == 0) {
            callsPerSession.remove(session);
        }
    }

    void writeHeaders(int streamId, Http2Headers headers, boolean endStream) {
        encoder().writeHeaders(ctx, streamId, headers, 0, endStream, ctx.voidPromise());
        flushSoon();
    }

    /** Answers a unary call of the gateway's own: headers, this one framed message, trailers with OK. */
    void answer(int streamId, byte[] framedMessage) {
        writeHeaders(streamId, GrpcWire.responseHeaders(), false);
        writeData(streamId, Unpooled.wrappedBuffer(framedMessage), false, newPromise());
        writeHeaders(streamId, GrpcWire.withStatus(new DefaultHttp2Headers(), Status.OK), true);
    }

    void reset(int streamId, Http2Error error) {
        resetStream(ctx, streamId, error.code(), ctx.voidPromise());
        flushSoon();
    }

    /** True while the client's half of the stream is open (it may still send DATA). */
    boolean clientStillSending(int streamId) {
        Http2Stream stream = connection().stream(streamId);
        return stream != null && stream.state().remoteSideOpen();
    }

    /** The call ended (or never started): forget it, and start the idle clock if it was the last one. */
    void ended(ProxyStream call) {
        calls.remove(call.clientStreamId());
        if (calls.isEmpty()) {
            if (draining) {
                ctx.close();
            } else {
                idleSince = System.nanoTime();
            }
        }
    }

    /** A call of the gateway's own is over if {@code done}: forget it, and start the idle clock if it was the last. */
    private void answered(int streamId, boolean done) {
        if (!done) {
            return;
        }
        healthChecks.remove(streamId);
        if (calls.isEmpty() && healthChecks.isEmpty() && !draining) {
            idleSince = System.nanoTime();
        }
    }

    /** Ends the calls whose key was revoked or expired since they were admitted. */
    void recheckKeys() {
        for (ProxyStream call : new ArrayList<>(calls.values())) {
            call.keyStillValid();
        }
    }

    /** Shutdown, step one: GOAWAY, so the client sends no new calls here; calls in flight go on. */
    void drain() {
        if (draining || !ctx.channel().isActive()) {
            return;
        }
        draining = true;
        goAway();
        if (calls.isEmpty()) {
            ctx.close();
        }
    }

    /** Shutdown, step two: the drain time is over; the calls left end with this status, then the connection. */
    void endAll(Status status) {
        for (ProxyStream call : new ArrayList<>(calls.values())) {
            call.endForShutdown(status);
        }
        flush(ctx);
        ctx.close();
    }

    /** GOAWAY (no error) after the last stream the client opened: it opens no more here. Sent at once. */
    private void goAway() {
        goAway(ctx, connection().remote().lastStreamCreated(), Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER,
                ctx.newPromise());
        flush(ctx);
    }

    private void scheduleIdleCheck(long delayNanos) {
        idleCheck = ctx.executor().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Closes the connection if it has had no call in flight for {@code gateway.proxy.idle-timeout}; otherwise looks
     * again when that could next be true: a full timeout from now while calls are in flight (the clock starts when
     * the last one ends), or the rest of the timeout since the last call ended.
     */
    private void checkIdle() {
        if (!ctx.channel().isActive()) {
            return;
        }
        long timeout = services.properties().idleTimeout().toNanos();
        if (!calls.isEmpty()) {
            scheduleIdleCheck(timeout);
            return;
        }
        long idle = System.nanoTime() - idleSince;
        if (idle < timeout) {
            scheduleIdleCheck(timeout - idle);
            return;
        }
        log.debug("Closing idle client connection {}", ctx.channel().remoteAddress());
        goAway();
        ctx.close();
    }

    /**
     * The codec resets a client's stream for a stream error (DATA past the request's {@code content-length} or the
     * stream's window, trailers that do not end the stream, ...) or a write to it failed: to the call, that is the
     * client's cancel, so the worker sees it too instead of waiting for the rest of the request.
     */
    @Override
    protected void onStreamError(ChannelHandlerContext ctx, boolean outbound, Throwable cause,
            Http2Exception.StreamException http2Ex) {
        super.onStreamError(ctx, outbound, cause, http2Ex);
        streamReset(http2Ex.streamId(), http2Ex.error().code());
    }

    /**
     * Request metadata over even the codec's limit ({@link Http2Handlers}): the codec decoded and dropped it, and
     * would answer HTTP 431, which gRPC clients report as UNKNOWN. Answered as the gateway's own limit is (the codec
     * then resets the stream).
     */
    @Override
    protected void handleServerHeaderDecodeSizeError(ChannelHandlerContext ctx, Http2Stream stream) {
        encoder().writeHeaders(ctx, stream.id(), metadataTooLarge(), 0, true, ctx.newPromise());
        metadataRefused("");
    }

    /**
     * A call whose metadata is over {@code gateway.proxy.max-header-list-size}: RESOURCE_EXHAUSTED, as gRPC servers
     * answer it, saying what to change. The connection's other calls go on.
     */
    private void refuseMetadata(int streamId, Http2Headers headers, boolean endOfStream) {
        writeHeaders(streamId, metadataTooLarge(), true);
        if (!endOfStream) {
            reset(streamId, Http2Error.NO_ERROR); // the client need not send the rest
        }
        metadataRefused(ProxyHeaders.method(headers));
    }

    private Http2Headers metadataTooLarge() {
        return GrpcWire.trailersOnly(Status.RESOURCE_EXHAUSTED.withDescription("the call's metadata is larger than"
                + " the gateway accepts (" + services.properties().maxHeaderListSize().toBytes()
                + " bytes, gateway.proxy.max-header-list-size): send less metadata"));
    }

    /** Counts and logs a call refused for its metadata; its method is empty when the codec dropped the headers. */
    private void metadataRefused(String method) {
        services.observer().callEnded(new CallRecord(null, remoteAddress(), null, null, method,
                Status.Code.RESOURCE_EXHAUSTED, 0, 0, 0, 0, 0, null, null, false));
    }

    /** The client's stream was reset, by the client or by the codec: its call, or health check, is over. */
    private void streamReset(int streamId, long errorCode) {
        if (healthChecks.containsKey(streamId)) {
            answered(streamId, true);
            return;
        }
        ProxyStream call = calls.get(streamId);
        if (call != null) {
            call.clientReset(errorCode);
        }
    }

    /** The client's frames. */
    private final class Frames extends Http2FrameAdapter {

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                boolean endOfStream) {
            ProxyStream call = calls.get(streamId);
            if (call != null) {
                // Trailers from a client: gRPC has none, but HTTP/2 allows them; they end the client's half.
                call.clientTrailers(headers, endOfStream);
                return;
            }
            GatewayHealthAnswer check = healthChecks.get(streamId);
            if (check != null) {
                answered(streamId, check.data(null, endOfStream));
                return;
            }
            if (ProxyHeaders.listSize(headers) > services.properties().maxHeaderListSize().toBytes()) {
                refuseMetadata(streamId, headers, endOfStream);
                answered(streamId, true);
                return;
            }
            if (GatewayInfoAnswer.handles(headers)) {
                GatewayInfoAnswer.answer(ClientConnection.this, streamId);
                answered(streamId, true);
                return;
            }
            if (GatewayHealthAnswer.handles(headers)) {
                check = GatewayHealthAnswer.start(ClientConnection.this, streamId, headers, endOfStream);
                if (check != null) {
                    healthChecks.put(streamId, check);
                }
                answered(streamId, check == null);
                return;
            }
            call = new ProxyStream(ClientConnection.this, streamId, headers, endOfStream);
            calls.put(streamId, call);
            call.admit();
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                short weight, boolean exclusive, int padding, boolean endOfStream) {
            onHeadersRead(ctx, streamId, headers, padding, endOfStream);
        }

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            ProxyStream call = calls.get(streamId);
            if (call == null) {
                GatewayHealthAnswer check = healthChecks.get(streamId);
                if (check != null) {
                    answered(streamId, check.data(data, endOfStream));
                }
                return data.readableBytes() + padding;
            }
            if (!call.clientData(inOneRead(data), endOfStream)) {
                // No call takes it (refused or ended): give the window back at once.
                return data.readableBytes() + padding;
            }
            // The payload's window comes back once the worker has been sent it (see consumed).
            return padding;
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
            streamReset(streamId, errorCode);
        }
    }
}

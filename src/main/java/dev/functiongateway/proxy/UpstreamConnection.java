package dev.functiongateway.proxy;

import java.util.ArrayDeque;
import java.util.ArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.functiongateway.support.LogSafe;
import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Exception.HeaderListSizeException;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;

/**
 * One HTTP/2 connection from the gateway to a worker, multiplexing the calls of the client connections on the
 * same event loop. Calls that arrive while it is still connecting wait here, with their bytes unread. A GOAWAY
 * from the worker lets the calls it accepted finish here while new calls get a new connection. While calls are
 * in flight, a silent worker gets a PING, and a connection that stays silent is closed (its calls end with
 * UNAVAILABLE), so a stopped worker cannot hold a call for ever.
 *
 * <p>Threading: confined to its event loop.
 */
final class UpstreamConnection extends ProxyConnection {

    private static final Logger log = LoggerFactory.getLogger(UpstreamConnection.class);
    private static final Status CLOSED = Status.UNAVAILABLE.withDescription(
            "the connection to the function's worker closed before the call ended");
    private static final Status UNREACHABLE = Status.UNAVAILABLE.withDescription(
            "the function's worker is unreachable");
    private static final Status BROKEN = Status.UNAVAILABLE.withDescription(
            "the function's worker broke the HTTP/2 protocol, and the gateway closed its connection");
    private static final Status NOT_HTTP2 = Status.UNAVAILABLE.withDescription(
            "the function's worker does not answer as an HTTP/2 (gRPC) server");

    private final Upstreams pool;
    private final EventLoop loop;
    private final Upstreams.Key key;
    private final ProxyProperties properties;
    private final IntObjectMap<ProxyStream> calls = new IntObjectHashMap<>();
    private final ArrayDeque<ProxyStream> waiting = new ArrayDeque<>();
    private boolean active;
    private boolean closed;
    /** No new streams here: the worker sent GOAWAY, or stream ids ran out. */
    private boolean draining;
    private boolean pingOutstanding;
    /** The worker's SETTINGS came: it speaks HTTP/2 here. */
    private boolean settingsReceived;
    /**
     * Why the gateway closed this connection for the worker's protocol error ({@link #BROKEN} or
     * {@link #NOT_HTTP2}), or null.
     */
    private Status brokenByWorker;

    private UpstreamConnection(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings,
            Upstreams pool, EventLoop loop, Upstreams.Key key, ProxyProperties properties) {
        super(decoder, encoder, settings, properties);
        this.pool = pool;
        this.loop = loop;
        this.key = key;
        this.properties = properties;
        decoder.frameListener(new Frames());
    }

    static UpstreamConnection create(Upstreams pool, EventLoop loop, Upstreams.Key key, ProxyProperties properties) {
        return Http2Handlers.forWorkers(properties, (decoder, encoder, settings) -> new UpstreamConnection(decoder,
                encoder, settings, pool, loop, key, properties));
    }

    /** True while new calls may use this connection. */
    boolean acceptsCalls() {
        return !closed && !draining;
    }

    /** Takes a call: now if connected, else when the connection is up. */
    void open(ProxyStream call) {
        if (closed) {
            call.upstreamFailed(UNREACHABLE, true);
        } else if (active) {
            call.upstreamReady(this);
        } else {
            waiting.add(call);
        }
    }

    /** Opens a stream with the call's request headers; returns its id, or -1 if this connection can take no more. */
    int openStream(Http2Headers headers, boolean endOfStream, ProxyStream call) {
        int id = connection().local().incrementAndGetNextStreamId();
        if (id < 0) {
            // Stream ids ran out: this connection finishes its calls; the call goes to a new one.
            stopTakingCalls();
            pool.connection(loop, key).open(call);
            return -1;
        }
        calls.put(id, call);
        ChannelPromise sent = ctx.newPromise();
        sent.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                // The worker never got the HEADERS (a GOAWAY came first): safe for the client to retry.
                ProxyStream refused = calls.remove(id);
                if (refused != null) {
                    refused.upstreamRefused();
                }
            }
        });
        encoder().writeHeaders(ctx, id, headers, 0, endOfStream, sent);
        flushSoon();
        return id;
    }

    void writeTrailers(int streamId, Http2Headers trailers) {
        encoder().writeHeaders(ctx, streamId, trailers, 0, true, ctx.voidPromise());
        flushSoon();
    }

    void reset(int streamId, Http2Error error) {
        calls.remove(streamId);
        resetStream(ctx, streamId, error.code(), ctx.voidPromise());
        flushSoon();
        closeIfDrained();
    }

    /** The call of this stream ended: the stream is no longer this connection's concern. */
    void forget(int streamId) {
        calls.remove(streamId);
        closeIfDrained();
    }

    /** The worker is no longer in the registry, or it sent GOAWAY: finish the calls here, take no new ones. */
    void stopTakingCalls() {
        draining = true;
        pool.forget(this);
        closeIfDrained();
    }

    Upstreams.Key key() {
        return key;
    }

    EventLoop loop() {
        return loop;
    }

    /** The TCP connection could not be made: every waiting call fails, and the worker is reported unreachable. */
    void connectFailed(Throwable cause) {
        log.debug("Connecting to worker {} failed: {}", key.address(), LogSafe.escape(cause.toString()));
        closed = true;
        pool.forget(this);
        for (ProxyStream call : drainWaiting()) {
            call.upstreamFailed(UNREACHABLE, true);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx);
        active = true;
        for (ProxyStream call : drainWaiting()) {
            call.upstreamReady(this);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        pool.forget(this);
        ArrayList<ProxyStream> left = new ArrayList<>(calls.values());
        calls.clear();
        // Closed under calls in flight with no GOAWAY (a killed worker, a reset, a silent one we gave up on): the
        // worker is out at once, so the next session goes elsewhere rather than waiting for its health checks.
        // A worker that broke HTTP/2 on a working connection still answers: its health checks judge it.
        boolean lost = !draining && brokenByWorker != BROKEN;
        for (ProxyStream call : left) {
            call.upstreamFailed(brokenByWorker != null ? brokenByWorker : CLOSED, lost);
        }
        for (ProxyStream call : drainWaiting()) {
            call.upstreamFailed(brokenByWorker == NOT_HTTP2 ? NOT_HTTP2 : UNREACHABLE, true);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        pingOutstanding = false;
        super.channelRead(ctx, msg);
    }

    /** Keepalive: the connection read nothing for {@code gateway.proxy.upstream-keepalive-time}. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (!(event instanceof IdleStateEvent)) {
            super.userEventTriggered(ctx, event);
            return;
        }
        if (calls.isEmpty()) {
            return;
        }
        if (pingOutstanding) {
            log.warn("Worker {} did not answer a PING for {}; closing its connection and ending its {} calls",
                    key.address(), properties.upstreamKeepaliveTime(), calls.size());
            ctx.close();
            return;
        }
        pingOutstanding = true;
        encoder().writePing(ctx, false, System.nanoTime(), ctx.newPromise());
        flush(ctx);
    }

    @Override
    protected Object peer() {
        return "worker " + key.address();
    }

    private ArrayList<ProxyStream> drainWaiting() {
        ArrayList<ProxyStream> all = new ArrayList<>(waiting);
        waiting.clear();
        return all;
    }

    private void closeIfDrained() {
        if (draining && calls.isEmpty() && waiting.isEmpty() && ctx != null && ctx.channel().isActive()) {
            ctx.close();
        }
    }


    /**
     * The worker broke HTTP/2 beyond one stream: the codec sends GOAWAY and closes the connection, and the calls on
     * it end. Before its SETTINGS, the worker is not an HTTP/2 server at all (an HTTP/1.1 server on the port): it is
     * reported unreachable, as one that refuses connections is, which the health checker logs once. After them (a
     * header block far over the limit the gateway advertised, a frame the protocol forbids), one warning for this
     * connection: the worker needs fixing, and nothing the client did caused it.
     */
    @Override
    protected void onConnectionError(ChannelHandlerContext ctx, boolean outbound, Throwable cause,
            Http2Exception http2Ex) {
        if (!outbound && http2Ex != null && brokenByWorker == null) {
            brokenByWorker = settingsReceived ? BROKEN : NOT_HTTP2;
            if (settingsReceived) {
                log.warn("Worker {} broke HTTP/2 ({}: {}); closing its connection, which ends the {} calls on it",
                        key.address(), http2Ex.error(), LogSafe.escape(String.valueOf(http2Ex.getMessage())),
                        calls.size());
            }
        }
        super.onConnectionError(ctx, outbound, cause, http2Ex);
    }

    /**
     * The codec resets a worker's stream for a stream error (the worker broke HTTP/2 on it: headers it may not send,
     * DATA past the window it was given) or a write to it failed: to the call, that is the worker's reset, so the
     * client is told at once instead of waiting for an answer that will not come.
     */
    @Override
    protected void onStreamError(ChannelHandlerContext ctx, boolean outbound, Throwable cause,
            Http2Exception.StreamException http2Ex) {
        super.onStreamError(ctx, outbound, cause, http2Ex);
        ProxyStream call = calls.remove(http2Ex.streamId());
        if (call != null && http2Ex instanceof HeaderListSizeException tooLarge && tooLarge.duringDecode()) {
            call.upstreamFailed(metadataTooLarge(), false); // over even the codec's limit
        } else if (call != null) {
            call.upstreamReset(http2Ex.error().code());
        }
        closeIfDrained();
    }

    /**
     * The worker's response metadata is over {@code gateway.proxy.max-header-list-size}: the call ends with
     * RESOURCE_EXHAUSTED, as a gRPC client would end it, and the client's connection, unlike a direct one, is not at
     * risk. The worker connection's other calls go on.
     */
    private Status metadataTooLarge() {
        return Status.RESOURCE_EXHAUSTED.withDescription("the worker's response metadata is larger than the gateway"
                + " accepts (" + properties.maxHeaderListSize().toBytes()
                + " bytes, gateway.proxy.max-header-list-size)");
    }

    /** The worker's frames. */
    private final class Frames extends Http2FrameAdapter {

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                boolean endOfStream) {
            ProxyStream call = endOfStream ? calls.remove(streamId) : calls.get(streamId);
            if (call == null) {
                return;
            }
            if (ProxyHeaders.listSize(headers) > properties.maxHeaderListSize().toBytes()) {
                if (!endOfStream) {
                    reset(streamId, Http2Error.CANCEL);
                }
                call.upstreamFailed(metadataTooLarge(), false);
                return;
            }
            call.upstreamHeaders(headers, endOfStream);
            closeIfDrained();
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                short weight, boolean exclusive, int padding, boolean endOfStream) {
            onHeadersRead(ctx, streamId, headers, padding, endOfStream);
        }

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            ProxyStream call = endOfStream ? calls.remove(streamId) : calls.get(streamId);
            if (call == null) {
                return data.readableBytes() + padding;
            }
            call.upstreamData(inOneRead(data), endOfStream);
            return padding;
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
            ProxyStream call = calls.remove(streamId);
            if (call != null) {
                if (errorCode == Http2Error.REFUSED_STREAM.code()) {
                    call.upstreamRefused();
                } else {
                    call.upstreamReset(errorCode);
                }
            }
            closeIfDrained();
        }

        @Override
        public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
            settingsReceived = true;
        }

        @Override
        public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
            log.debug("Worker {} sent GOAWAY (last stream {}, error {})", key.address(), lastStreamId, errorCode);
            draining = true;
            pool.forget(UpstreamConnection.this);
            // Streams above lastStreamId were never processed: their clients may retry them.
            for (int id : new ArrayList<>(calls.keySet())) {
                if (id > lastStreamId) {
                    calls.remove(id).upstreamRefused();
                }
            }
            closeIfDrained();
        }
    }
}

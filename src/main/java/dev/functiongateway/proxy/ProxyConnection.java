package dev.functiongateway.proxy;

import java.util.ArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.functiongateway.support.LogSafe;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * What both sides of the proxy share, a client's connection ({@link ClientConnection}) and a worker's
 * ({@link UpstreamConnection}): the codec set up for forwarding (frames that span reads joined, not copied; a
 * connection window of {@code gateway.proxy.connection-window}), a turn's DATA relayed once per call when the
 * turn's reads end, writes flushed once per event-loop turn, windows returned once the other side took the bytes,
 * and failures that are routine on a network logged at DEBUG.
 *
 * <p>Threading: the connection's event loop only.
 */
abstract class ProxyConnection extends Http2ConnectionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProxyConnection.class);

    private final ProxyProperties properties;
    private final BatchedFlush flushes = new BatchedFlush(this);
    /** Calls that read DATA from this connection in this turn, relayed when its reads end. */
    private final ArrayList<ProxyStream> readers = new ArrayList<>();
    /** Set when the handler joins its pipeline. */
    protected ChannelHandlerContext ctx;

    protected ProxyConnection(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings,
            ProxyProperties properties) {
        super(decoder, encoder, settings);
        this.properties = properties;
        setCumulator(UnreadPieces.INSTANCE);
    }

    /** Who is at the other end, for the log. */
    protected abstract Object peer();

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        flushes.context(ctx);
        super.handlerAdded(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx);
        FlowWindows.raiseConnectionWindow(this, properties);
    }

    /** Relays what this turn's reads gave each call, one write per call, before the codec flushes this side. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        for (int i = 0; i < readers.size(); i++) {
            readers.get(i).readsDone();
        }
        readers.clear();
        super.channelReadComplete(ctx);
    }

    /** The call read DATA from this connection: {@link ProxyStream#readsDone} when this turn's reads end. */
    void afterReads(ProxyStream call) {
        readers.add(call);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (Http2Handlers.isHttp2Exception(cause)) {
            super.exceptionCaught(ctx, cause);
            return;
        }
        // A reset connection, a TLS failure, bytes that are not HTTP/2: routine for a proxy on the network.
        log.debug("Connection with {} failed: {}", peer(), LogSafe.escape(cause.toString()));
        ctx.close();
    }

    /**
     * An HTTP/2 connection error, the peer's (a protocol violation, a rapid-reset or control-frame flood) or ours:
     * the codec sends GOAWAY and closes; one DEBUG line says why.
     */
    @Override
    protected void onConnectionError(ChannelHandlerContext ctx, boolean outbound, Throwable cause,
            Http2Exception http2Ex) {
        if (log.isDebugEnabled()) {
            log.debug("Connection with {} ends with GOAWAY {}: {}", peer(),
                    http2Ex != null ? http2Ex.error() : Http2Error.INTERNAL_ERROR,
                    LogSafe.escape(String.valueOf(cause.getMessage())));
        }
        super.onConnectionError(ctx, outbound, cause, http2Ex);
    }

    ChannelHandlerContext context() {
        return ctx;
    }

    ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    ChannelPromise newPromise() {
        return ctx.newPromise();
    }

    /** A DATA payload this connection's reader has just cut: see {@link UnreadPieces#inOneRead}. */
    ByteBuf inOneRead(ByteBuf payload) {
        return UnreadPieces.inOneRead(internalBuffer(), payload);
    }

    void writeData(int streamId, ByteBuf data, boolean endOfStream, ChannelPromise promise) {
        encoder().writeData(ctx, streamId, data, 0, endOfStream, promise);
        flushes.request();
    }

    /** The bytes of a DATA frame from this side reached the other: let this side send as many more. */
    void consumed(int streamId, int bytes) {
        FlowWindows.consume(this, streamId, bytes);
        flushes.request();
    }

    /** Flushes what was written, at the end of this event-loop turn. */
    protected void flushSoon() {
        flushes.request();
    }
}

package dev.functiongateway.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionHandler;

/**
 * Flushes one HTTP/2 connection once per event-loop turn, however many frames were written to it in that turn.
 * Forwarding writes a frame to one connection for every frame read from another; flushing each of them would run
 * the codec's flow controller over the connection's streams and make a syscall per frame. Threading: the
 * connection's event loop only.
 */
final class BatchedFlush implements Runnable {

    private final Http2ConnectionHandler connection;
    private ChannelHandlerContext ctx;
    private boolean scheduled;

    BatchedFlush(Http2ConnectionHandler connection) {
        this.connection = connection;
    }

    /** Set when the handler is added to its pipeline. */
    void context(ChannelHandlerContext context) {
        this.ctx = context;
    }

    /** Flushes at the end of this event-loop turn (after the reads in progress), once. */
    void request() {
        if (!scheduled) {
            scheduled = true;
            ctx.executor().execute(this);
        }
    }

    @Override
    public void run() {
        scheduled = false;
        connection.flush(ctx);
    }
}

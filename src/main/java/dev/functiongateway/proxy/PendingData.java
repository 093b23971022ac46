package dev.functiongateway.proxy;

import java.util.concurrent.atomic.LongAdder;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPromise;

/**
 * One call's DATA in one direction that was read but is not yet written on: the frames of one event-loop turn
 * (or, towards a worker, those that arrived before its stream was open), joined without copying and written to
 * the other side as one write. One write per turn instead of one per frame saves, per frame, a promise, its
 * listener, an entry in the codec's flow-control queue and a window return; a 256 KiB read carries 16 frames of
 * 16 KiB. The source's window comes back once the write is done ({@link ProxyConnection#consumed}). Threading:
 * the call's event loop.
 */
final class PendingData {

    private CompositeByteBuf data;
    private boolean endOfStream;

    /** Takes a DATA frame's payload, retaining it. */
    void add(ByteBufAllocator alloc, ByteBuf frame, boolean end) {
        if (frame.isReadable()) {
            if (data == null) {
                // No component limit: at the default of 16 a composite copies itself into one buffer.
                data = alloc.compositeBuffer(Integer.MAX_VALUE);
            }
            data.addComponent(true, frame.retain());
        }
        endOfStream |= end;
    }

    boolean isEmpty() {
        return data == null && !endOfStream;
    }

    boolean hasBytes() {
        return data != null;
    }

    /** Ends the stream with the next write. */
    void end() {
        endOfStream = true;
    }

    /**
     * Writes what is pending to stream {@code toStream} of {@code to}; once written, its bytes are taken off
     * {@code buffered} and their window goes back to stream {@code fromStream} of {@code from}.
     */
    void writeTo(ProxyConnection to, int toStream, ProxyConnection from, int fromStream, LongAdder buffered) {
        ByteBuf payload = data == null ? Unpooled.EMPTY_BUFFER : data;
        boolean end = endOfStream;
        data = null;
        endOfStream = false;
        int bytes = payload.readableBytes();
        ChannelPromise written = to.newPromise();
        if (bytes > 0) {
            written.addListener((ChannelFutureListener) f -> {
                buffered.add(-bytes);
                from.consumed(fromStream, bytes);
            });
        }
        to.writeData(toStream, payload, end, written);
    }

    /** Drops what is pending (the call ended), taking its bytes off {@code buffered}. */
    void release(LongAdder buffered) {
        if (data != null) {
            buffered.add(-data.readableBytes());
            data.release();
            data = null;
        }
        endOfStream = false;
    }
}

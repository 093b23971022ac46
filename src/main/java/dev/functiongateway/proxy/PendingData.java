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
 * 16 KiB. The source's window comes back once the write is done ({@link ProxyConnection#consumed}). Its bytes
 * count in the {@code gateway.grpc.buffered.bytes} gauge from their read until their write or release. The
 * frames the codec cuts from a joined batch are slices of the reads where they can be ({@link Joined}). Threading:
 * the call's event loop.
 */
final class PendingData {

    private final LongAdder buffered;
    /** The one frame pending, or from the second on a composite of them (most calls' DATA is one frame a turn). */
    private ByteBuf data;
    private boolean endOfStream;

    PendingData(LongAdder buffered) {
        this.buffered = buffered;
    }

    /** Takes a DATA frame's payload, retaining it. */
    void add(ByteBufAllocator alloc, ByteBuf frame, boolean end) {
        if (frame.isReadable()) {
            buffered.add(frame.readableBytes());
            ByteBuf retained = frame.retain();
            if (data == null) {
                data = retained;
            } else if (data instanceof Joined joined) {
                joined.addComponent(true, retained);
            } else {
                data = new Joined(alloc).addComponent(true, data).addComponent(true, retained);
            }
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
     * Writes what is pending to stream {@code toStream} of {@code to}; once written, its window goes back to
     * stream {@code fromStream} of {@code from}.
     */
    void writeTo(ProxyConnection to, int toStream, ProxyConnection from, int fromStream) {
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

    /** Drops what is pending: the call ended. */
    void release() {
        if (data != null) {
            buffered.add(-data.readableBytes());
            data.release();
            data = null;
        }
        endOfStream = false;
    }

    /**
     * Frames joined so that the frames the codec cuts from them are, where they can be, slices of the reads they
     * came in: the flow controller cuts its turns and the frame writer its frames with {@code readRetainedSlice},
     * and here a slice that lies in one piece is a slice of that piece, one over several a new composite of just
     * those. A slice of this composite itself would cost, at every socket write, a walk of all its pieces (whether
     * they are all direct, how many they are, their NIO buffers). The frame writer cuts a write's last frame with
     * {@code readSlice}, which shares this composite's reference count and so stays a slice of it. No component
     * limit: at Netty's default of 16 a composite copies itself into one buffer.
     */
    static final class Joined extends CompositeByteBuf {

        Joined(ByteBufAllocator alloc) {
            super(alloc, true, Integer.MAX_VALUE);
        }

        @Override
        public ByteBuf retainedSlice(int index, int length) {
            if (length == 0) {
                return super.retainedSlice(index, length);
            }
            ByteBuf inOnePiece = UnreadPieces.sliceOfOnePiece(this, index, length, true);
            if (inOnePiece != null) {
                return inOnePiece;
            }
            Joined part = new Joined(alloc());
            for (ByteBuf each : decompose(index, length)) {
                part.addComponent(true, each.retain());
            }
            return part;
        }
    }
}

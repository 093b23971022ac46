package dev.functiongateway.proxy;

import static dev.functiongateway.proxy.UnreadPiecesTest.slicesAComposite;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;

/**
 * A turn's DATA joined for one write, cut as the codec cuts it: the flow controller takes a turn's share with
 * {@code readRetainedSlice}, the frame writer its frames the same way. What lies in one joined frame comes out as
 * a slice of the read it came in, what spans frames as a composite of just those pieces; every byte in order, and
 * every read released once the cuts are.
 */
class PendingDataTest {

    private static final int FRAME = 16 * 1024;

    @Test
    void cutsOfJoinedFramesAreSlicesOfTheReads() {
        ByteBuf read = Unpooled.directBuffer(4 * FRAME);
        for (int i = 0; i < 4 * FRAME; i++) {
            read.writeByte((byte) i);
        }
        // Four frames as the frame reader gives them, slices of one read, joined as PendingData joins them.
        ByteBuf joined = new PendingData.Joined(UnpooledByteBufAllocator.DEFAULT);
        for (int f = 0; f < 4; f++) {
            ((PendingData.Joined) joined).addComponent(true, read.retainedSlice(f * FRAME, FRAME));
        }
        read.release();

        List<ByteBuf> written = new ArrayList<>();
        // The flow controller's share: one and a half frames, then the rest.
        ByteBuf share = joined.readRetainedSlice(FRAME + FRAME / 2);
        assertThat(slicesAComposite(share)).isTrue();
        assertThat(share.nioBufferCount()).isEqualTo(2);
        ByteBuf whole = share.readRetainedSlice(FRAME);
        assertThat(slicesAComposite(whole)).isFalse();
        written.add(whole);
        written.add(share);
        ByteBuf rest = joined.readRetainedSlice(joined.readableBytes());
        joined.release();
        // Frames of a peer that takes 8 KiB: each in one piece.
        while (rest.isReadable()) {
            ByteBuf frame = rest.readRetainedSlice(Math.min(FRAME / 2, rest.readableBytes()));
            assertThat(slicesAComposite(frame)).isFalse();
            written.add(frame);
        }
        rest.release();

        int bytes = 0;
        for (ByteBuf frame : written) {
            for (int i = frame.readerIndex(); i < frame.writerIndex(); i++, bytes++) {
                assertThat(frame.getByte(i)).isEqualTo((byte) bytes);
            }
        }
        assertThat(bytes).isEqualTo(4 * FRAME);
        assertThat(read.refCnt()).isPositive();
        written.forEach(ByteBuf::release);
        assertThat(read.refCnt()).isZero();
    }
}

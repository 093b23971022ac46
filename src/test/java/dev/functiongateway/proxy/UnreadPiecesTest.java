package dev.functiongateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * The proxy's cumulator under forwarding's pattern: reads that always end inside a frame, several reads per
 * event-loop turn, and frames kept as retained slices while they wait to be written. The bytes come out in order,
 * every read is released, and a frame never sits on more pieces than the reads it spans (a cumulator that nested
 * composites makes this grow with every read).
 */
class UnreadPiecesTest {

    private static final int FRAME = 16 * 1024;
    private static final int READ = 7 * 1024 + 13;
    private static final int READS = 2_000;
    /** Reads in one event-loop turn: the codec holds on to their frames until the turn's flush. */
    private static final int READS_PER_TURN = 16;
    /** Frames still held when the next turn starts, as if queued for the other side's flow-control window. */
    private static final int HELD = 8;

    /** Cuts fixed-size frames as retained slices, as Netty's HTTP/2 frame reader cuts DATA payloads. */
    private static final class Frames extends ByteToMessageDecoder {
        Frames() {
            setCumulator(UnreadPieces.INSTANCE);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            while (in.readableBytes() >= FRAME) {
                out.add(in.readRetainedSlice(FRAME));
            }
        }
    }

    @Test
    void framesSpanningReadsStayFewPiecesAndKeepTheirBytes() {
        EmbeddedChannel channel = new EmbeddedChannel(new Frames());
        List<ByteBuf> reads = new ArrayList<>();
        // Frames stay retained for a while, as forwarded frames do until the other side has written them.
        List<ByteBuf> inFlight = new ArrayList<>();
        long frames = 0;
        int maxPieces = 0;
        byte expected = 0;
        for (int r = 0; r < READS; r += READS_PER_TURN) {
            while (inFlight.size() > HELD) {
                inFlight.remove(0).release();
            }
            ByteBuf[] turn = new ByteBuf[READS_PER_TURN];
            for (int t = 0; t < READS_PER_TURN; t++) {
                turn[t] = Unpooled.directBuffer(READ);
                for (int i = 0; i < READ; i++) {
                    turn[t].writeByte((byte) ((r + t) * READ + i));
                }
                reads.add(turn[t]);
            }
            channel.writeInbound((Object[]) turn);
            for (ByteBuf frame; (frame = channel.readInbound()) != null; frames++) {
                // Every socket write of the frame walks these.
                maxPieces = Math.max(maxPieces, frame.nioBufferCount());
                for (int i = 0; i < FRAME; i++, expected++) {
                    assertThat(frame.getByte(frame.readerIndex() + i)).isEqualTo(expected);
                }
                inFlight.add(frame);
            }
        }
        inFlight.forEach(ByteBuf::release);
        channel.finishAndReleaseAll();

        assertThat(frames).isEqualTo((long) READ * READS / FRAME);
        assertThat(maxPieces).isLessThanOrEqualTo(FRAME / READ + 2);
        assertThat(reads).allSatisfy(read -> assertThat(read.refCnt()).isZero());
    }
}

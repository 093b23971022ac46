package dev.functiongateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;

/**
 * The proxy's cumulator under forwarding's pattern: reads that always end inside a frame, several reads per
 * event-loop turn, and frames kept as retained slices while they wait to be written. The bytes come out in order,
 * every read is released, and a frame never sits on more pieces than the reads it spans (a cumulator that nested
 * composites makes this grow with every read). And DATA payloads cut by Netty's own frame reader come out, through
 * {@link UnreadPieces#inOneRead}, as slices of the one read they lie in.
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

    /** Netty's HTTP/2 frame reader on the proxy's cumulator, each DATA payload passed through inOneRead. */
    private static final class DataFrames extends ByteToMessageDecoder {
        final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader();
        final List<ByteBuf> payloads = new ArrayList<>();

        DataFrames() {
            setCumulator(UnreadPieces.INSTANCE);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Http2Exception {
            reader.readFrame(ctx, in, new Http2FrameAdapter() {
                @Override
                public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
                        boolean endOfStream) {
                    ByteBuf piece = UnreadPieces.inOneRead(in, data);
                    assertThat(ByteBufUtil.equals(piece, data)).isTrue();
                    payloads.add(piece.retain());
                    return 0;
                }
            });
        }
    }

    @Test
    void dataFramesFromNettysReaderAreSlicesOfTheReadTheyLieIn() {
        // DATA frames of many sizes, every third padded, cut into reads that end anywhere.
        ByteBuf stream = Unpooled.buffer();
        List<int[]> spans = new ArrayList<>(); // where each frame's data starts and ends in the stream
        byte next = 0;
        for (int f = 0; f < 300; f++) {
            int length = 1 + (f * 7919) % 16_000;
            int pad = f % 3 == 0 ? f % 5 : -1;
            stream.writeMedium(length + (pad >= 0 ? 1 + pad : 0)).writeByte(0x0) // DATA
                    .writeByte(pad >= 0 ? 0x8 : 0x0).writeInt(1);                  // PADDED, stream 1
            if (pad >= 0) {
                stream.writeByte(pad);
            }
            spans.add(new int[] {stream.writerIndex(), stream.writerIndex() + length});
            for (int i = 0; i < length; i++) {
                stream.writeByte(next++);
            }
            stream.writeZero(Math.max(pad, 0));
        }
        DataFrames frames = new DataFrames();
        EmbeddedChannel channel = new EmbeddedChannel(frames);
        // Buffers the leak detector never wraps: a payload cut from a wrapped composite is passed on as it is
        // (inOneRead cannot see through the wrapper), and the detector samples at random.
        ByteBufAllocator alloc = new UnpooledByteBufAllocator(true, true);
        channel.config().setAllocator(alloc);
        List<ByteBuf> reads = new ArrayList<>();
        while (stream.isReadable()) {
            ByteBuf read = alloc.directBuffer(READ);
            read.writeBytes(stream, Math.min(READ, stream.readableBytes()));
            reads.add(read);
            channel.writeInbound(read);
        }
        channel.finishAndReleaseAll();

        assertThat(frames.payloads).hasSize(spans.size());
        byte expected = 0;
        for (int f = 0; f < spans.size(); f++) {
            ByteBuf payload = frames.payloads.get(f);
            int[] span = spans.get(f);
            boolean spansReads = span[0] / READ != (span[1] - 1) / READ;
            assertThat(slicesAComposite(payload)).as("frame %d", f).isEqualTo(spansReads);
            for (int i = payload.readerIndex(); i < payload.writerIndex(); i++, expected++) {
                assertThat(payload.getByte(i)).isEqualTo(expected);
            }
            payload.release();
        }
        assertThat(reads).allSatisfy(read -> assertThat(read.refCnt()).isZero());
    }

    /** True if writing this buffer walks the pieces of a composite. */
    static boolean slicesAComposite(ByteBuf buffer) {
        for (ByteBuf b = buffer; b != null; b = b.unwrap()) {
            if (b instanceof CompositeByteBuf) {
                return true;
            }
        }
        return false;
    }
}

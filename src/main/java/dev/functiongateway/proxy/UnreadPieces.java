package dev.functiongateway.proxy;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.ByteToMessageDecoder.Cumulator;

/**
 * Joins a new read to the unread end of the earlier ones without copying: a fresh composite of just the unread
 * pieces of the underlying reads and the new read. Netty's {@code COMPOSITE_CUMULATOR} appends each read to the
 * same composite whenever the decoder holds its only reference, and trims it only at moments when nothing else
 * does; forwarded DATA frames are slices of it, held until written, so under a stream of large messages it kept
 * growing (frames over composites of up to 191 pieces, measured in the 4 MiB 1x4 benchmark). Every socket write
 * of such a slice walks all the pieces, and once the flow controller had joined a few such frames into one write
 * they passed IOV_MAX (1024) and the transport copied them. Here a composite holds only the reads that the
 * current partial frame spans, and never another composite. Threading: the decoder's event loop.
 */
final class UnreadPieces implements Cumulator {

    static final UnreadPieces INSTANCE = new UnreadPieces();

    private UnreadPieces() {
    }

    /**
     * A DATA frame's payload that Netty's frame reader has just cut from {@code cumulation}, as a slice of the one
     * read it lies in, when it lies in one; otherwise the payload itself. A slice of a composite costs a walk of
     * the composite's pieces at every socket write (whether they are all direct, how many they are, their NIO
     * buffers); a slice of one read costs none of that. It relies on how {@code DefaultHttp2FrameReader} cuts
     * DATA: the whole frame payload with {@code readSlice} (so the cumulation's reader index is at its end), then
     * the payload's own indices set to the data between pad length and padding. {@code UnreadPiecesTest} pins
     * that on Netty's reader.
     */
    static ByteBuf inOneRead(ByteBuf cumulation, ByteBuf payload) {
        if (!(cumulation instanceof CompositeByteBuf composite) || payload.unwrap() != composite
                || !payload.isReadable()) {
            return payload;
        }
        int start = composite.readerIndex() - payload.capacity() + payload.readerIndex();
        ByteBuf inOnePiece = sliceOfOnePiece(composite, start, payload.readableBytes(), false);
        return inOnePiece != null ? inOnePiece : payload;
    }

    /**
     * The bytes {@code index} to {@code index + length} of {@code composite} as a slice (retained or not) of the
     * one piece that holds them all, without copying; null if they span pieces.
     */
    static ByteBuf sliceOfOnePiece(CompositeByteBuf composite, int index, int length, boolean retained) {
        int piece = composite.toComponentIndex(index);
        int pieceStart = composite.toByteIndex(piece);
        ByteBuf bytes = composite.internalComponent(piece);
        if (index + length > pieceStart + bytes.readableBytes()) {
            return null;
        }
        return retained ? bytes.retainedSlice(index - pieceStart, length) : bytes.slice(index - pieceStart, length);
    }

    @Override
    public ByteBuf cumulate(ByteBufAllocator alloc, ByteBuf cumulation, ByteBuf in) {
        if (!cumulation.isReadable()) {
            cumulation.release();
            return in;
        }
        CompositeByteBuf joined = alloc.compositeBuffer(Integer.MAX_VALUE);
        boolean ownsIn = false;
        try {
            // Pieces of the underlying reads, never of an earlier composite, so composites do not nest.
            List<ByteBuf> pieces = cumulation instanceof CompositeByteBuf composite
                    ? composite.decompose(composite.readerIndex(), composite.readableBytes())
                    : List.of(cumulation.slice());
            for (ByteBuf piece : pieces) {
                joined.addComponent(true, piece.retain());
            }
            ownsIn = true; // addComponent releases the buffer itself if it fails
            joined.addComponent(true, in);
            CompositeByteBuf result = joined;
            joined = null;
            return result;
        } finally {
            cumulation.release();
            if (joined != null) {
                joined.release();
                if (!ownsIn) {
                    in.release();
                }
            }
        }
    }
}

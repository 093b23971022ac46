package dev.functiongateway.proxy;

import io.netty.buffer.ByteBuf;

/**
 * Counts the gRPC messages of one direction of a call by following their 5-byte prefixes (a flag byte and a
 * 4-byte big-endian length) across DATA frames, however the frames split them. Reads only the prefixes, never
 * the payload. Confined to the call's event loop.
 */
final class GrpcMessageCounter {

    private static final int PREFIX = 5;

    private long messages;
    private long payloadBytes;
    /** Payload bytes of the current message still to come. */
    private long remaining;
    /** Prefix bytes of the next message seen so far (0 to 4), and the length they give so far. */
    private int prefixSeen;
    private long prefixLength;

    /** Follows one DATA frame's bytes; does not move the buffer's reader index. */
    void follow(ByteBuf data) {
        int index = data.readerIndex();
        int end = data.writerIndex();
        while (index < end) {
            if (remaining > 0) {
                int skip = (int) Math.min(remaining, end - index);
                remaining -= skip;
                index += skip;
                continue;
            }
            byte b = data.getByte(index++);
            if (prefixSeen > 0) {
                prefixLength = (prefixLength << 8) | (b & 0xFF);
            }
            if (++prefixSeen == PREFIX) {
                messages++;
                payloadBytes += prefixLength;
                remaining = prefixLength;
                prefixSeen = 0;
                prefixLength = 0;
            }
        }
    }

    long messages() {
        return messages;
    }

    long payloadBytes() {
        return payloadBytes;
    }
}

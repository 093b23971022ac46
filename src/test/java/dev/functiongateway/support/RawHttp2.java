package dev.functiongateway.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A bare HTTP/2 client over a socket, for what well-behaved clients never do (bursts of resets, streams past the
 * server's limit). Headers go out as HPACK literals without indexing, so no encoder state is needed.
 */
public final class RawHttp2 implements AutoCloseable {

    public static final int DATA = 0x0;
    public static final int HEADERS = 0x1;
    public static final int RST_STREAM = 0x3;
    public static final int SETTINGS = 0x4;
    public static final int PING = 0x6;
    public static final int GOAWAY = 0x7;
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** One frame as read: its type, flags, stream and payload. */
    public record Frame(int type, int flags, int streamId, byte[] payload) {

        /** The error code of a RST_STREAM or GOAWAY frame. */
        public long errorCode() {
            int at = type == GOAWAY ? 4 : 0;
            return ((payload[at] & 0xFFL) << 24) | ((payload[at + 1] & 0xFF) << 16) | ((payload[at + 2] & 0xFF) << 8)
                    | (payload[at + 3] & 0xFF);
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    /** Connects and sends the preface and an empty SETTINGS frame. */
    public RawHttp2(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
        out.write(PREFACE);
        frame(SETTINGS, 0, 0, new byte[0]);
    }

    /** A HEADERS frame with END_HEADERS (and END_STREAM when {@code endStream}). */
    public void headers(int streamId, Map<String, String> headers, boolean endStream) throws IOException {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        headers.forEach((name, value) -> {
            block.write(0x00);
            literal(block, name);
            literal(block, value);
        });
        frame(HEADERS, 0x4 | (endStream ? 0x1 : 0), streamId, block.toByteArray());
    }

    /** A DATA frame (with END_STREAM when {@code endStream}). */
    public void data(int streamId, byte[] payload, boolean endStream) throws IOException {
        frame(DATA, endStream ? 0x1 : 0, streamId, payload);
    }

    public void rstStream(int streamId, int errorCode) throws IOException {
        frame(RST_STREAM, 0, streamId, new byte[] { (byte) (errorCode >>> 24), (byte) (errorCode >>> 16),
                (byte) (errorCode >>> 8), (byte) errorCode });
    }

    /** {@code count} PING frames (8 zero bytes each), in one write. */
    public void pings(int count) throws IOException {
        byte[] ping = { 0, 0, 8, PING, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
        byte[] all = new byte[ping.length * count];
        for (int i = 0; i < count; i++) {
            System.arraycopy(ping, 0, all, i * ping.length, ping.length);
        }
        out.write(all);
    }

    public void flush() throws IOException {
        out.flush();
    }

    /** The next frame, or null when the server closed the connection. */
    public Frame read() throws IOException {
        try {
            int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int streamId = in.readInt() & 0x7FFF_FFFF;
            byte[] payload = new byte[length];
            in.readFully(payload);
            return new Frame(type, flags, streamId, payload);
        } catch (EOFException | java.net.SocketException e) {
            return null;
        }
    }

    private void frame(int type, int flags, int streamId, byte[] payload) throws IOException {
        byte[] header = { (byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                (byte) type, (byte) flags, (byte) (streamId >>> 24), (byte) (streamId >>> 16), (byte) (streamId >>> 8),
                (byte) streamId };
        out.write(header);
        out.write(payload);
    }

    /** An HPACK string literal, not Huffman-coded; lengths below 127 fit the 7-bit prefix. */
    private static void literal(ByteArrayOutputStream block, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length >= 127) {
            throw new IllegalArgumentException("header too long for this client: " + text);
        }
        block.write(bytes.length);
        block.writeBytes(bytes);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

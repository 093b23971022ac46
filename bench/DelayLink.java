import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP relay on 127.0.0.1 that holds every byte for a fixed time each way: a client "farther away" than loopback,
 * for the benchmark's LINK_DELAY_MS. A proxy's flow-control windows matter once a round trip costs time; on
 * loopback they hardly do. Each direction of each connection is a reader thread and a writer thread with a queue
 * of (due time, bytes) between them; at most {@code MAX_IN_FLIGHT} bytes per direction are on the "link", so a
 * receiver that does not read stops the sender (TCP backpressure, as on a real link). The link has no bandwidth
 * limit of its own beyond this relay's CPU.
 *
 * <p>Usage: {@code java DelayLink LISTEN_PORT TARGET_PORT DELAY_MS} (both ports on 127.0.0.1). Runs until killed.
 */
public final class DelayLink {

    private static final int CHUNK = 256 * 1024;
    private static final int MAX_IN_FLIGHT = 64 * 1024 * 1024;

    /** Bytes on the link until {@code dueNanos}; null bytes stand for the end of the stream. */
    private record Piece(long dueNanos, byte[] bytes) {
    }

    public static void main(String[] args) throws IOException {
        int listenPort = Integer.parseInt(args[0]);
        int targetPort = Integer.parseInt(args[1]);
        long delayNanos = TimeUnit.MICROSECONDS.toNanos(Math.round(Double.parseDouble(args[2]) * 1000));
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(loopback, listenPort), 128);
            while (true) {
                Socket client = server.accept();
                Socket target = new Socket();
                try {
                    target.connect(new InetSocketAddress(loopback, targetPort), 5000);
                } catch (IOException e) {
                    client.close();
                    continue;
                }
                for (Socket s : new Socket[] {client, target}) {
                    s.setTcpNoDelay(true);
                }
                AtomicInteger open = new AtomicInteger(2);
                direction(client, target, delayNanos, open);
                direction(target, client, delayNanos, open);
            }
        }
    }

    /**
     * Starts the two threads that carry {@code from}'s bytes to {@code to}, each held for the delay. An end of
     * stream passes on as a half-close; the sockets close when both directions have ended, or at once on an error.
     */
    private static void direction(Socket from, Socket to, long delayNanos, AtomicInteger open) {
        LinkedBlockingQueue<Piece> link = new LinkedBlockingQueue<>();
        Semaphore room = new Semaphore(MAX_IN_FLIGHT);
        Thread reader = new Thread(() -> {
            try {
                // Not closed here: closing a socket's stream closes the socket, and the other direction may still run.
                InputStream in = from.getInputStream();
                byte[] buffer = new byte[CHUNK];
                while (true) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    room.acquire(n);
                    // A copy of just what was read: a fresh 256 KiB array per read cost a small call's 13-byte
                    // WINDOW_UPDATE as much as a full read.
                    link.put(new Piece(System.nanoTime() + delayNanos, Arrays.copyOf(buffer, n)));
                }
            } catch (IOException | InterruptedException e) {
                // the connection ended
            }
            link.add(new Piece(System.nanoTime() + delayNanos, null));
        }, "link-read");
        Thread writer = new Thread(() -> {
            boolean failed = true;
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Piece piece = link.take();
                    // parkNanos, not sleep: on Java 17 Thread.sleep rounds a sub-millisecond wait up to 1 ms.
                    for (long wait; (wait = piece.dueNanos() - System.nanoTime()) > 0; ) {
                        LockSupport.parkNanos(wait);
                    }
                    if (piece.bytes() == null) {
                        to.shutdownOutput();
                        failed = false;
                        break;
                    }
                    out.write(piece.bytes());
                    room.release(piece.bytes().length);
                }
            } catch (IOException | InterruptedException e) {
                // the connection ended
            } finally {
                // A reader waiting for room on a full link would otherwise wait forever: let it on, to find the
                // socket closed at its next read.
                room.release(MAX_IN_FLIGHT);
                if (failed || open.decrementAndGet() == 0) {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            }
        }, "link-write");
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private DelayLink() {
    }
}

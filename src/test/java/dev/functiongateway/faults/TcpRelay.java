package dev.functiongateway.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on 127.0.0.1 in front of a server, which a test can cut and restore: cutting closes every relayed
 * connection at once (as when the server's process dies or the network drops) and closes new ones as soon as
 * they are accepted, until restored. Two daemon threads per relayed connection; close it to stop them all.
 */
final class TcpRelay implements AutoCloseable {

    private final ServerSocket listener;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;

    TcpRelay(int targetPort) {
        this.targetPort = targetPort;
        try {
            listener = new ServerSocket();
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        daemon("relay-accept", this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    /** Closes every relayed connection and refuses service until {@link #restore()}. */
    void cut() {
        cut = true;
        closeAll();
    }

    void restore() {
        cut = false;
    }

    @Override
    public void close() throws IOException {
        cut = true;
        listener.close();
        closeAll();
    }

    private void acceptLoop() {
        try {
            while (true) {
                Socket client = listener.accept();
                if (cut) {
                    client.close();
                    continue;
                }
                Socket server;
                try {
                    server = new Socket("127.0.0.1", targetPort);
                } catch (IOException e) {
                    client.close();
                    continue;
                }
                sockets.add(client);
                sockets.add(server);
                daemon("relay-up", () -> pump(client, server));
                daemon("relay-down", () -> pump(server, client));
            }
        } catch (IOException closed) {
            // The relay is closed.
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
            }
        } catch (IOException ended) {
            // One side closed or was cut; the other is closed below.
        } finally {
            close(from);
            close(to);
        }
    }

    private void closeAll() {
        sockets.forEach(TcpRelay::close);
        sockets.clear();
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is all that is wanted.
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }
}

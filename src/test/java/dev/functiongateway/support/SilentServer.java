package dev.functiongateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A "worker" on 127.0.0.1 that accepts TCP connections and never says a byte: a hung process, or a port that
 * swallows traffic. One accepting thread; close it to close every connection it took.
 */
public final class SilentServer implements AutoCloseable {

    private final ServerSocket listener;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    public SilentServer() {
        try {
            listener = new ServerSocket();
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(listener.accept());
                }
            } catch (IOException closed) {
                // The server is closed.
            }
        }, "silent-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        listener.close();
        acceptor.join(5000);
        for (Socket s : accepted) {
            s.close();
        }
    }
}

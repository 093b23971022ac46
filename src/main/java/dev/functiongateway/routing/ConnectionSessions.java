package dev.functiongateway.routing;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The sessions one client TCP connection is attached to: one per (function, requested version) when it names
 * no session, and one per {@code nvcf-reqid} it names. Calls that arrive while a session is still being set up
 * share its pending future. Closing the connection releases every attachment (the sessions' bindings live on
 * for the reconnect window) and takes its waits out of the queue.
 */
public final class ConnectionSessions {

    /** What a session is for: a function, and the version the client asked for (null: any). */
    public record SessionKey(UUID functionId, UUID requestedVersion) {
    }

    private final Map<Object, CompletableFuture<Session>> sessions = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * The session for this key: the current one if still usable, else a new one from {@code opener}. A session
     * whose worker went away is released first, so the new one gets a new {@code nvcf-reqid}.
     */
    public CompletableFuture<Session> session(SessionKey key, Supplier<CompletableFuture<Session>> opener) {
        return attached(key, opener);
    }

    /**
     * This connection's attachment to the session named by {@code requestId}, made once by {@code resumer}
     * (typically {@link SessionRouter#resume}) and reused by the connection's later calls with the same id. A
     * refusal is not kept: the next call with the id asks again.
     */
    public CompletableFuture<Session> resumed(String requestId, Supplier<CompletableFuture<Session>> resumer) {
        return attached(requestId, resumer);
    }

    private CompletableFuture<Session> attached(Object key, Supplier<CompletableFuture<Session>> opener) {
        return sessions.compute(key, (k, current) -> {
            if (current != null && (!current.isDone() || (!current.isCompletedExceptionally() && current.join().usable()))) {
                return current;
            }
            if (current != null && !current.isCompletedExceptionally()) {
                current.join().release();
            }
            CompletableFuture<Session> opened = opener.get();
            opened.thenAccept(session -> {
                if (closed) {
                    session.release();
                }
            });
            return opened;
        });
    }

    /**
     * The connection closed: release every attachment. One still waiting for a slot leaves the queue (its future
     * is cancelled, which {@link SessionRouter} turns into closing its lease); one granted in that instant is
     * released once it is.
     */
    public void close() {
        closed = true;
        sessions.values().forEach(future -> {
            future.cancel(false);
            future.thenAccept(Session::release);
        });
        sessions.clear();
    }
}

package dev.functiongateway.routing;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The sessions one client TCP connection is attached to: one per (function, requested version) when it names
 * no session, and one per {@code nvcf-reqid} it names. Calls that arrive while a session is still being set up
 * share its pending future; when every call waiting for it has given up (its deadline passed, its client
 * cancelled it), the wait leaves the queue. Closing the connection releases every attachment (the sessions'
 * bindings live on for the reconnect window) and takes its waits out of the queue.
 *
 * <p>Threading: called on the connection's event loop; only the sessions' futures complete on other threads.
 */
public final class ConnectionSessions {

    /** What a session is for: a function, and the version the client asked for (null: any). */
    public record SessionKey(UUID functionId, UUID requestedVersion) {
    }

    private final Map<Object, CompletableFuture<Session>> sessions = new ConcurrentHashMap<>();
    /** How many calls wait for each session still being set up ({@link #waiting}); the event loop's only. */
    private final Map<CompletableFuture<Session>, int[]> waiters = new IdentityHashMap<>();
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

    /** A call waits for {@code pending}, a session not set up yet; it says when it stops ({@link #stoppedWaiting}). */
    public void waiting(CompletableFuture<Session> pending) {
        waiters.computeIfAbsent(pending, p -> new int[1])[0]++;
    }

    /**
     * A call no longer waits for {@code pending}: it has its session, or it gave up. When the last call waiting for
     * a session still in the queue gives up, the wait leaves the queue and the connection forgets it: a slot granted
     * later would be held, with no call to use it, until the connection closes; the connection's next call queues
     * anew instead.
     */
    public void stoppedWaiting(CompletableFuture<Session> pending) {
        int[] count = waiters.get(pending);
        if (count == null || --count[0] > 0) {
            return;
        }
        waiters.remove(pending);
        if (pending.cancel(false)) {
            sessions.values().remove(pending);
        }
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
        waiters.clear();
    }
}

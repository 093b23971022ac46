package dev.functiongateway.routing;

import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Predicate;

/**
 * One worker slot, asked for once and given back once. It starts {@link State#WAITING} in its pool's queue (or
 * is granted at once), becomes {@link State#HELD} when a slot is its, and {@link State#ENDED} when its owner
 * {@link #close closes} it or the pool refuses it. Closing a waiting lease only leaves the queue: it frees
 * nothing, because it holds nothing. Closing a held lease frees its slot exactly once. State changes happen
 * under the owning {@link FunctionPool}'s lock, so a grant and a close can never both win.
 */
public final class Lease implements AutoCloseable {

    enum State {
        WAITING, HELD, ENDED
    }

    private final FunctionPool pool;
    final Predicate<Worker> eligible;
    /** The one worker a returning session may use (it holds the session's state), or null for any eligible. */
    final Worker pinned;
    final UUID requestedVersion;
    final long createdNanos = System.nanoTime();
    final CompletableFuture<Worker> granted = new CompletableFuture<>();
    // Guarded by the pool's lock.
    State state = State.WAITING;
    Worker worker;
    ScheduledFuture<?> timeout;

    Lease(FunctionPool pool, Predicate<Worker> eligible, Worker pinned, UUID requestedVersion) {
        this.pool = pool;
        this.eligible = eligible;
        this.pinned = pinned;
        this.requestedVersion = requestedVersion;
    }

    /**
     * Completes with the worker once the slot is held; fails with {@link RoutingException} when refused, or with
     * {@link CancellationException} once closed while waiting. Cancelling the returned copy does nothing: only
     * {@link #close} ends a lease.
     */
    public CompletableFuture<Worker> granted() {
        return granted.copy();
    }

    /** Leaves the queue if waiting, frees the slot if held, nothing if already ended. Any thread. */
    @Override
    public void close() {
        pool.end(this);
    }
}

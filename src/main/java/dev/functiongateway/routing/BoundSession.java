package dev.functiongateway.routing;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A session's binding on this replica: its id, its worker, the key that opened it, and the {@link Session
 * attachments} (client connections, requests, WebSockets) using it now. It holds one slot lease while anything
 * is attached and none otherwise (see {@link FunctionPool} for the accounting); with nothing attached it ends
 * after the reconnect window. Threading: its fields are guarded by this object's lock; leases are taken and
 * closed outside it, so that no pool callback ever runs under it.
 */
final class BoundSession {

    final String requestId;
    final UUID functionId;
    final Worker worker;
    final String listener;
    private final FunctionPool pool;
    private final Duration maxWait;
    private final Duration reconnectWindow;
    private final ScheduledExecutorService timer;
    private final Consumer<BoundSession> onEnd;
    // Guarded by this.
    private int attachments;
    private Lease lease;
    private ScheduledFuture<?> expiry;
    private boolean ended;

    BoundSession(String requestId, UUID functionId, Worker worker, String listener, FunctionPool pool,
            Duration maxWait, Duration reconnectWindow, ScheduledExecutorService timer, Consumer<BoundSession> onEnd) {
        this.requestId = requestId;
        this.functionId = functionId;
        this.worker = worker;
        this.listener = listener;
        this.pool = pool;
        this.maxWait = maxWait;
        this.reconnectWindow = reconnectWindow;
        this.timer = timer;
        this.onEnd = onEnd;
    }

    /** A new session whose lease was granted already: attached once, by the caller that opened it. */
    synchronized Session adoptOpened(Lease granted) {
        attachments = 1;
        lease = granted;
        return new Session(this);
    }

    /**
     * One more attachment. Shares the slot if one is held; otherwise takes a lease on this session's worker, ahead
     * of new sessions. Fails with RESOURCE_EXHAUSTED if the worker stays full, and with null if the session ended
     * already (the caller then refuses the id). Cancelling the future detaches.
     */
    CompletableFuture<Session> attach() {
        Lease current;
        boolean submit = false;
        Session session;
        synchronized (this) {
            if (ended) {
                return null;
            }
            attachments++;
            if (expiry != null) {
                expiry.cancel(false);
                expiry = null;
            }
            if (lease == null) {
                lease = pool.pendingLeaseOn(worker, worker.versionId());
                submit = true;
            }
            current = lease;
            session = new Session(this);
        }
        if (submit) {
            pool.submit(current, maxWait);
        }
        CompletableFuture<Session> attached = new CompletableFuture<>();
        current.granted().whenComplete((w, error) -> {
            if (error != null) {
                synchronized (this) {
                    if (lease == current) {
                        lease = null;
                    }
                }
                session.release();
                attached.completeExceptionally(error);
            } else if (!attached.complete(session)) {
                session.release();
            }
        });
        attached.whenComplete((s, error) -> {
            if (attached.isCancelled()) {
                session.release();
            }
        });
        return attached;
    }

    /**
     * An attachment ended; the last one frees the slot and starts the reconnect window, or, with none (a plain
     * HTTP request's session), ends the session here: a timer task per request woke the timer thread as often as
     * requests came.
     */
    void detach() {
        Lease toClose = null;
        boolean endNow = reconnectWindow.isZero();
        synchronized (this) {
            if (--attachments > 0) {
                return;
            }
            toClose = lease;
            lease = null;
            if (!endNow) {
                expiry = timer.schedule(this::expire, reconnectWindow.toNanos(), TimeUnit.NANOSECONDS);
            }
        }
        if (toClose != null) {
            toClose.close();
        }
        if (endNow) {
            expire();
        }
    }

    private void expire() {
        synchronized (this) {
            if (attachments > 0 || ended) {
                return;
            }
            ended = true;
        }
        onEnd.accept(this);
    }
}

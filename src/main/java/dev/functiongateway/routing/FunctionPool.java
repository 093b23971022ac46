package dev.functiongateway.routing;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import dev.functiongateway.routing.RoutingMetrics.QueueOutcome;
import io.grpc.Status;

/**
 * The workers of one function, their slots, and the {@link Lease leases} waiting for them.
 *
 * <p><b>Slot accounting</b> (the one place it is written down). A worker has {@code maxRequestConcurrency}
 * slots (0: unlimited); {@link Worker#sessions()} counts the slots held. A slot is held by exactly one
 * {@link Lease}, and a lease by exactly one owner: a session while at least one client connection, request or
 * WebSocket is attached to it ({@link BoundSession}), never longer. When the last one detaches the slot is
 * freed at once; the session's binding (its id, its worker) lives on for {@code gateway.sessions.reconnect-window}
 * without a slot. A new session takes the healthy eligible worker with the fewest held slots and a free one (ties
 * broken at random), else waits in a bounded FIFO queue. A <em>returning</em> session (its id came back within
 * the window, or on another replica) waits only for its own worker, and ahead of every new session: a freed slot
 * goes first to the oldest returning session of that worker, then to the oldest new session that can use it.
 * Both kinds wait at most {@code gateway.routing.queue-max-wait}, then get RESOURCE_EXHAUSTED; a returning
 * session never moves to another worker. Waiting leases count against {@code queue-max-size} alike.
 *
 * <p>Threading: all state (queue, lease states, slot counts) is guarded by this object's lock, held only for a
 * scan of the function's workers and queue; futures complete outside it.
 */
public final class FunctionPool {

    private final UUID functionId;
    private final int queueMaxSize;
    private final ScheduledExecutorService timer;
    private final RoutingMetrics metrics;
    /** Returning sessions, served before {@link #queue}. */
    private final ArrayDeque<Lease> returning = new ArrayDeque<>();
    private final ArrayDeque<Lease> queue = new ArrayDeque<>();
    private List<Worker> workers = List.of();

    FunctionPool(UUID functionId, int queueMaxSize, ScheduledExecutorService timer, RoutingMetrics metrics) {
        this.functionId = functionId;
        this.queueMaxSize = queueMaxSize;
        this.timer = timer;
        this.metrics = metrics;
    }

    /**
     * A lease on any healthy eligible worker, for a new session. Its {@link Lease#granted()} fails with
     * {@link RoutingException}: UNAVAILABLE when no eligible worker is healthy, RESOURCE_EXHAUSTED when the
     * queue is full or {@code maxWait} passes.
     *
     * @param requestedVersion the version the client asked for, or null; only for queue depth reporting
     */
    public Lease lease(Predicate<Worker> eligible, UUID requestedVersion, Duration maxWait) {
        return submit(new Lease(this, eligible, null, requestedVersion), maxWait);
    }

    /**
     * A lease on one worker for a session that returns to it, served before any new session; made but not yet
     * {@link #submit submitted}, so that the caller may store it first. Once submitted it fails with
     * RESOURCE_EXHAUSTED when the worker stays full for the wait, UNAVAILABLE when the worker is not healthy.
     */
    Lease pendingLeaseOn(Worker worker, UUID requestedVersion) {
        return new Lease(this, w -> w == worker, worker, requestedVersion);
    }

    /** Grants or queues a lease made here; one closed in the meantime stays ended. */
    Lease submit(Lease lease, Duration maxWait) {
        List<Runnable> completions = new ArrayList<>();
        RoutingException refusal = null;
        synchronized (this) {
            if (lease.state != Lease.State.WAITING || lease.timeout != null) {
                return lease;
            }
            serve(completions);
            if (workers.stream().noneMatch(w -> w.healthy() && lease.eligible.test(w))) {
                // Descriptions reach the client: they name no worker address (internal addresses stay internal).
                refusal = new RoutingException(Status.UNAVAILABLE.withDescription(lease.pinned != null
                        ? "the session's worker of function " + functionId + " is not available"
                        : "function " + functionId + (lease.requestedVersion == null ? ""
                                : " version " + lease.requestedVersion) + " has no healthy instance"));
            } else if (!tryGrant(lease, completions)) {
                if (returning.size() + queue.size() >= queueMaxSize) {
                    refusal = new RoutingException(Status.RESOURCE_EXHAUSTED.withDescription("every instance of function "
                            + functionId + " is busy and its queue is full (" + queueMaxSize + ")"));
                } else {
                    (lease.pinned != null ? returning : queue).addLast(lease);
                    lease.timeout = timer.schedule(() -> expire(lease, maxWait), maxWait.toNanos(),
                            TimeUnit.NANOSECONDS);
                }
            }
            if (refusal != null) {
                lease.state = Lease.State.ENDED;
            }
        }
        completions.forEach(Runnable::run);
        if (refusal != null) {
            lease.granted.completeExceptionally(refusal);
        }
        return lease;
    }

    /** The end of a lease, by its owner: see {@link Lease#close()}. */
    void end(Lease lease) {
        List<Runnable> completions = new ArrayList<>();
        boolean left;
        synchronized (this) {
            left = lease.state == Lease.State.WAITING;
            if (lease.state == Lease.State.HELD) {
                lease.worker.removeSession();
                serve(completions);
            } else if (left) {
                dequeue(lease);
            }
            lease.state = Lease.State.ENDED;
        }
        completions.forEach(Runnable::run);
        if (left) {
            waited(lease, QueueOutcome.LEFT);
            lease.granted.completeExceptionally(new CancellationException("the lease was closed while waiting"));
        }
    }

    private void expire(Lease lease, Duration maxWait) {
        synchronized (this) {
            if (lease.state != Lease.State.WAITING) {
                return;
            }
            dequeue(lease);
            lease.state = Lease.State.ENDED;
        }
        waited(lease, QueueOutcome.REFUSED);
        lease.granted.completeExceptionally(new RoutingException(Status.RESOURCE_EXHAUSTED.withDescription(
                (lease.pinned != null ? "the session's worker of function " + functionId
                        : "every instance of function " + functionId) + " stayed busy for " + maxWait.toMillis()
                        + " ms; try again later")));
    }

    /** Sessions waiting for a slot that asked for this version ({@code null}: that named no version). */
    public synchronized int queueDepth(UUID version) {
        int depth = 0;
        for (Lease lease : returning) {
            depth += Objects.equals(version, lease.requestedVersion) ? 1 : 0;
        }
        for (Lease lease : queue) {
            depth += Objects.equals(version, lease.requestedVersion) ? 1 : 0;
        }
        return depth;
    }

    synchronized List<Worker> workers() {
        return workers;
    }

    /** Replaces the worker set (after a registry change) and serves the queue from any new capacity. */
    void replaceWorkers(List<Worker> next) {
        synchronized (this) {
            workers = List.copyOf(next);
        }
        serveQueue();
    }

    /** A worker may have become healthy: let waiters try again. */
    void serveQueue() {
        List<Runnable> completions = new ArrayList<>();
        synchronized (this) {
            serve(completions);
        }
        completions.forEach(Runnable::run);
    }

    /** Must hold the lock. Grants free slots to waiters, returning sessions first, each queue in order. */
    private void serve(List<Runnable> completions) {
        for (ArrayDeque<Lease> line : List.of(returning, queue)) {
            for (Iterator<Lease> it = line.iterator(); it.hasNext();) {
                if (tryGrant(it.next(), completions)) {
                    it.remove();
                }
            }
        }
    }

    /** Must hold the lock. Gives the lease a slot if one is free for it; its future completes later. */
    private boolean tryGrant(Lease lease, List<Runnable> completions) {
        Worker chosen = pick(lease.eligible);
        if (chosen == null) {
            return false;
        }
        chosen.addSession();
        lease.worker = chosen;
        boolean queued = lease.state == Lease.State.WAITING && lease.timeout != null;
        lease.state = Lease.State.HELD;
        completions.add(() -> {
            if (queued) {
                waited(lease, QueueOutcome.SERVED);
            }
            lease.granted.complete(chosen);
        });
        return true;
    }

    private void waited(Lease lease, QueueOutcome outcome) {
        if (lease.timeout != null) {
            lease.timeout.cancel(false);
            metrics.queueWait(functionId, lease.requestedVersion, System.nanoTime() - lease.createdNanos, outcome);
        }
    }

    private void dequeue(Lease lease) {
        (lease.pinned != null ? returning : queue).remove(lease);
    }

    /** Must hold the lock. Fewest sessions among healthy eligible workers with a free slot; random on ties. */
    private Worker pick(Predicate<Worker> eligible) {
        Worker best = null;
        int ties = 0;
        for (Worker w : workers) {
            if (!w.healthy() || !w.hasFreeSlot() || !eligible.test(w)) {
                continue;
            }
            if (best == null || w.sessions() < best.sessions()) {
                best = w;
                ties = 1;
            } else if (w.sessions() == best.sessions() && ThreadLocalRandom.current().nextInt(++ties) == 0) {
                best = w;
            }
        }
        return best;
    }
}

package dev.functiongateway.routing;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.grpc.Status;

/**
 * The workers of one function and the sessions waiting for them. A new session takes the healthy eligible
 * worker with the fewest sessions and a free slot (ties broken at random); when every such worker is full it
 * waits in a bounded FIFO queue until a slot frees or its wait runs out. All state is guarded by this
 * object's lock, held only for a scan of the function's workers; futures complete outside it.
 */
public final class FunctionPool {

    private final UUID functionId;
    private final int queueMaxSize;
    private final ScheduledExecutorService timer;
    private final RoutingMetrics metrics;
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    private List<Worker> workers = List.of();

    FunctionPool(UUID functionId, int queueMaxSize, ScheduledExecutorService timer, RoutingMetrics metrics) {
        this.functionId = functionId;
        this.queueMaxSize = queueMaxSize;
        this.timer = timer;
        this.metrics = metrics;
    }

    private static final class Waiter {
        final Predicate<Worker> eligible;
        final UUID requestedVersion;
        final CompletableFuture<Worker> result = new CompletableFuture<>();
        ScheduledFuture<?> timeout;

        Waiter(Predicate<Worker> eligible, UUID requestedVersion) {
            this.eligible = eligible;
            this.requestedVersion = requestedVersion;
        }
    }

    /**
     * Takes a slot on a worker. The future fails with {@link RoutingException}: UNAVAILABLE when no eligible
     * worker is healthy, RESOURCE_EXHAUSTED when the queue is full or {@code maxWait} passes. Cancelling the
     * future leaves the queue.
     *
     * @param requestedVersion the version the client asked for, or null; only for queue depth reporting
     */
    public CompletableFuture<Worker> acquire(Predicate<Worker> eligible, UUID requestedVersion, Duration maxWait) {
        Waiter waiter = new Waiter(eligible, requestedVersion);
        Worker chosen;
        synchronized (this) {
            if (workers.stream().noneMatch(w -> w.healthy() && eligible.test(w))) {
                return CompletableFuture.failedFuture(new RoutingException(Status.UNAVAILABLE.withDescription(
                        "function " + functionId + (requestedVersion == null ? "" : " version " + requestedVersion)
                                + " has no healthy instance")));
            }
            chosen = pick(eligible);
            if (chosen == null) {
                if (queue.size() >= queueMaxSize) {
                    return CompletableFuture.failedFuture(new RoutingException(Status.RESOURCE_EXHAUSTED
                            .withDescription("every instance of function " + functionId
                                    + " is busy and its queue is full (" + queueMaxSize + ")")));
                }
                queue.addLast(waiter);
            }
        }
        if (chosen != null) {
            return CompletableFuture.completedFuture(chosen);
        }
        waiter.timeout = timer.schedule(() -> {
            if (remove(waiter)) {
                waiter.result.completeExceptionally(new RoutingException(Status.RESOURCE_EXHAUSTED.withDescription(
                        "every instance of function " + functionId + " stayed busy for " + maxWait.toMillis()
                                + " ms; try again later")));
            }
        }, maxWait.toNanos(), TimeUnit.NANOSECONDS);
        long queuedAt = System.nanoTime();
        waiter.result.whenComplete((w, error) -> {
            waiter.timeout.cancel(false);
            metrics.queueWait(functionId, requestedVersion, System.nanoTime() - queuedAt, error == null);
            if (waiter.result.isCancelled()) {
                remove(waiter);
            }
        });
        return waiter.result;
    }

    /** Gives back a slot taken by {@link #acquire}, and hands it to the first waiter that can use it. */
    public void release(Worker worker) {
        synchronized (this) {
            worker.removeSession();
        }
        serveQueue();
    }

    /** Sessions waiting for a slot that asked for this version ({@code null}: that named no version). */
    public synchronized int queueDepth(UUID version) {
        int depth = 0;
        for (Waiter waiter : queue) {
            if (java.util.Objects.equals(version, waiter.requestedVersion)) {
                depth++;
            }
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
            for (Iterator<Waiter> it = queue.iterator(); it.hasNext();) {
                Waiter waiter = it.next();
                Worker chosen = pick(waiter.eligible);
                if (chosen != null) {
                    it.remove();
                    completions.add(() -> {
                        if (!waiter.result.complete(chosen)) {
                            release(chosen);
                        }
                    });
                }
            }
        }
        completions.forEach(Runnable::run);
    }

    private synchronized boolean remove(Waiter waiter) {
        return queue.remove(waiter);
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
        if (best != null) {
            best.addSession();
        }
        return best;
    }
}

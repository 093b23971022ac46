package dev.functiongateway.routing;

import java.time.Instant;
import java.util.UUID;

import dev.functiongateway.registry.FunctionInstance;
import dev.functiongateway.registry.FunctionVersion;
import io.grpc.ManagedChannel;

/**
 * One instance as routing sees it: its health and how many sessions it holds. Session counts are guarded by
 * the owning {@link FunctionPool}'s lock; health is written by the health checker and by failed calls.
 */
public final class Worker {

    private final FunctionInstance instance;
    private volatile FunctionVersion version;
    private final ManagedChannel channel;
    // Written under the pool's lock; volatile so that gauges read it from any thread.
    private volatile int sessions;
    private volatile boolean healthy;
    private volatile boolean everHealthy;
    private volatile boolean retired;
    private int consecutivePasses;
    private int consecutiveFailures;
    private volatile long nextCheckNanos;
    // The latest health check, for the admin API's view of a deployment.
    private volatile Instant lastCheckAt;
    private volatile String lastError;

    Worker(FunctionInstance instance, FunctionVersion version, ManagedChannel channel, boolean healthy) {
        this.instance = instance;
        this.version = version;
        this.channel = channel;
        this.healthy = healthy;
        this.everHealthy = healthy;
    }

    public FunctionInstance instance() {
        return instance;
    }

    public UUID versionId() {
        return version.id();
    }

    FunctionVersion version() {
        return version;
    }

    /** The shared HTTP/2 channel to this instance; every session on it multiplexes over it. */
    public ManagedChannel channel() {
        return channel;
    }

    public boolean healthy() {
        return healthy && !retired;
    }

    boolean everHealthy() {
        return everHealthy;
    }

    boolean retired() {
        return retired;
    }

    /** The version's settings changed (say, maxRequestConcurrency); sessions and health stay. */
    void update(FunctionVersion changed) {
        version = changed;
    }

    void retire() {
        retired = true;
    }

    int sessions() {
        return sessions;
    }

    boolean hasFreeSlot() {
        return version.maxRequestConcurrency() == 0 || sessions < version.maxRequestConcurrency();
    }

    void addSession() {
        sessions++;
    }

    void removeSession() {
        sessions--;
    }

    long nextCheckNanos() {
        return nextCheckNanos;
    }

    void scheduleNextCheck(long atNanos) {
        nextCheckNanos = atNanos;
    }

    /** Records a health check; returns true if the healthy state changed. Called by one thread at a time. */
    synchronized boolean recordCheck(boolean passed, int healthyThreshold, int unhealthyThreshold) {
        if (passed) {
            consecutiveFailures = 0;
            consecutivePasses++;
            if (!healthy && consecutivePasses >= healthyThreshold) {
                healthy = true;
                everHealthy = true;
                return true;
            }
        } else {
            consecutivePasses = 0;
            consecutiveFailures++;
            if (healthy && consecutiveFailures >= unhealthyThreshold) {
                healthy = false;
                return true;
            }
        }
        return false;
    }

    /** Notes when the last health check ran and why it failed ({@code null} when it passed). */
    void noteCheck(Instant at, String error) {
        lastCheckAt = at;
        lastError = error;
    }

    /** When the last health check ended; null before the first. */
    public Instant lastCheckAt() {
        return lastCheckAt;
    }

    /** Why the last health check failed; null if it passed or none ran yet. */
    public String lastError() {
        return lastError;
    }

    /** A call could not reach the instance: out at once, back after passing health checks. */
    synchronized boolean markUnreachable() {
        consecutivePasses = 0;
        boolean changed = healthy;
        healthy = false;
        return changed;
    }

    @Override
    public String toString() {
        return instance.address() + " (version " + version.id() + ", instance " + instance.id() + ")";
    }
}

package dev.functiongateway.routing;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client connection's binding to one worker for one function: every call it carries goes to that worker
 * with the same {@code nvcf-reqid}. It holds one of the worker's slots (its {@link Lease}) until released.
 */
public final class Session {

    private final String requestId;
    private final Worker worker;
    private final Lease lease;
    private final AtomicBoolean released = new AtomicBoolean();

    Session(String requestId, Worker worker, Lease lease) {
        this.requestId = requestId;
        this.worker = worker;
        this.lease = lease;
    }

    public String requestId() {
        return requestId;
    }

    public Worker worker() {
        return worker;
    }

    public UUID versionId() {
        return worker.versionId();
    }

    /** False once released, or when its worker went away or turned unhealthy: then a new session is due. */
    boolean usable() {
        return !released.get() && worker.healthy();
    }

    /** Gives the slot back; later calls do nothing. */
    public void release() {
        if (released.compareAndSet(false, true)) {
            lease.close();
        }
    }
}

package dev.functiongateway.routing;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One attachment to a session: a client connection, request or WebSocket whose calls go to the session's worker
 * under its {@code nvcf-reqid}. While any attachment of a session is unreleased the session holds one of the
 * worker's slots; {@link #release()} by the attachment's owner (once; later calls do nothing) detaches it.
 */
public final class Session {

    private final BoundSession binding;
    private final AtomicBoolean released = new AtomicBoolean();

    Session(BoundSession binding) {
        this.binding = binding;
    }

    public String requestId() {
        return binding.requestId;
    }

    public Worker worker() {
        return binding.worker;
    }

    public UUID versionId() {
        return binding.worker.versionId();
    }

    /** False once released, or when its worker went away or turned unhealthy: then a new session is due. */
    boolean usable() {
        return !released.get() && binding.worker.healthy();
    }

    /** Detaches; the session's slot is freed when its last attachment is released. */
    public void release() {
        if (released.compareAndSet(false, true)) {
            binding.detach();
        }
    }
}

package dev.functiongateway.routing;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.springframework.stereotype.Component;

import dev.functiongateway.auth.ApiKey;
import io.grpc.Status;

/** Opens sessions: a slot on a healthy worker of a serving version that the key may use. */
@Component
public class SessionRouter {

    private final WorkerDirectory directory;
    private final RoutingProperties properties;

    public SessionRouter(WorkerDirectory directory, RoutingProperties properties) {
        this.directory = directory;
        this.properties = properties;
    }

    /**
     * Takes a slot for a new session, waiting in the function's queue if every worker is full. Fails with
     * {@link RoutingException}. Cancelling the returned future while it waits leaves the queue; once it has
     * completed, only {@link Session#release()} frees the slot.
     *
     * @param requestedVersion the version the client named, or null for any serving version
     */
    public CompletableFuture<Session> open(UUID functionId, UUID requestedVersion, ApiKey key) {
        FunctionPool pool = directory.pool(functionId);
        if (pool == null) {
            return CompletableFuture.failedFuture(new RoutingException(
                    Status.UNAVAILABLE.withDescription("function " + functionId + " has no instance")));
        }
        Lease lease = pool.lease(worker -> worker.version().status().servesCalls()
                        && (requestedVersion == null || worker.versionId().equals(requestedVersion))
                        && key.allows(functionId, worker.versionId()),
                requestedVersion, properties.queueMaxWait());
        CompletableFuture<Session> session = new CompletableFuture<>();
        lease.granted().whenComplete((worker, error) -> {
            if (error != null) {
                session.completeExceptionally(error);
            } else if (!session.complete(new Session(UUID.randomUUID().toString(), worker, lease))) {
                lease.close();
            }
        });
        // The caller gave up (say, an HTTP client left while queued): end the lease, whatever its state.
        session.whenComplete((s, error) -> {
            if (session.isCancelled()) {
                lease.close();
            }
        });
        return session;
    }
}

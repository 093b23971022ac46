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
     * {@link RoutingException}.
     *
     * @param requestedVersion the version the client named, or null for any serving version
     */
    public CompletableFuture<Session> open(UUID functionId, UUID requestedVersion, ApiKey key) {
        FunctionPool pool = directory.pool(functionId);
        if (pool == null) {
            return CompletableFuture.failedFuture(new RoutingException(
                    Status.UNAVAILABLE.withDescription("function " + functionId + " has no instance")));
        }
        return pool.acquire(worker -> worker.version().status().servesCalls()
                        && (requestedVersion == null || worker.versionId().equals(requestedVersion))
                        && key.allows(functionId, worker.versionId()),
                requestedVersion, properties.queueMaxWait())
                .thenApply(worker -> new Session(UUID.randomUUID().toString(), worker, pool));
    }
}

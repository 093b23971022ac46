package dev.functiongateway.routing;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.springframework.stereotype.Component;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.functiongateway.auth.ApiKey;
import io.grpc.Status;

/**
 * Opens sessions (a slot on a healthy worker of a serving version that the key may use) and resumes them by
 * id, on both listeners.
 *
 * <p>Ids are signed and self-describing ({@link SessionIds}), not rows in a table: a replica resumes an id
 * minted by another from the id alone and its own worker directory, so the call path never waits on the
 * database, and a database outage does not stop resumes. The price: a replica that never held a session cannot
 * know that it ended elsewhere, so it honours the id until {@code gateway.sessions.id-max-age} after issue
 * (the worker must still be there and healthy); the replica that held it refuses it as soon as its reconnect
 * window has passed. Every refusal of an id is NOT_FOUND with one message, so that an id reveals nothing to
 * another key. Threading: any thread; the binding table is a concurrent map, and no lock is held while waiting.
 */
@Component
public class SessionRouter {

    /** Why an id was refused, for the {@code gateway_session_ids_refused_total} metric. */
    enum IdRefusal {
        UNKNOWN, EXPIRED, FOREIGN_KEY, WORKER_GONE
    }

    static final String REFUSED = "no session with this nvcf-reqid: it is unknown, expired, or its worker is gone;"
            + " start a new session by calling without nvcf-reqid";

    private final WorkerDirectory directory;
    private final RoutingProperties properties;
    private final SessionProperties sessions;
    private final SessionIds ids;
    private final RoutingMetrics metrics;
    private final Clock clock;
    private final Map<String, BoundSession> bound = new ConcurrentHashMap<>();
    /** Sessions bound per listener, resumable or not, attached or within their window. */
    private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
    /** Ids whose sessions ended here; refused as expired for as long as any replica would honour them. */
    private final Cache<String, Boolean> ended;

    public SessionRouter(WorkerDirectory directory, RoutingProperties properties, SessionProperties sessions,
            SessionIds ids, RoutingMetrics metrics, Clock clock) {
        this.directory = directory;
        this.properties = properties;
        this.sessions = sessions;
        this.ids = ids;
        this.metrics = metrics;
        this.clock = clock;
        this.ended = Caffeine.newBuilder().expireAfterWrite(sessions.idMaxAge()).maximumSize(100_000).build();
        for (String listener : new String[] { "grpc", "http" }) {
            metrics.sessionsOpen(listener, open.computeIfAbsent(listener, l -> new AtomicInteger())::get);
        }
    }

    /** {@link #open(UUID, UUID, ApiKey, String)} for the gRPC listener. */
    public CompletableFuture<Session> open(UUID functionId, UUID requestedVersion, ApiKey key) {
        return open(functionId, requestedVersion, key, "grpc");
    }

    /**
     * Takes a slot for a new resumable session, waiting in the function's queue if every worker is full, and
     * mints its signed id; its binding outlives its attachments by the reconnect window. Fails with
     * {@link RoutingException}. Cancelling the returned future while it waits leaves the queue; once it has
     * completed, only {@link Session#release()} frees the slot.
     *
     * @param requestedVersion the version the client named, or null for any serving version
     * @param listener         {@code grpc} or {@code http}, for metrics
     */
    public CompletableFuture<Session> open(UUID functionId, UUID requestedVersion, ApiKey key, String listener) {
        return open(functionId, requestedVersion, key, listener, null);
    }

    /**
     * As {@link #open(UUID, UUID, ApiKey, String)}, for one plain HTTP request: the session has the caller's
     * {@code requestId} (which no later call can name) and ends with the request.
     */
    public CompletableFuture<Session> openForRequest(UUID functionId, UUID requestedVersion, ApiKey key,
            String listener, String requestId) {
        return open(functionId, requestedVersion, key, listener, requestId);
    }

    private CompletableFuture<Session> open(UUID functionId, UUID requestedVersion, ApiKey key, String listener,
            String plainRequestId) {
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
                return;
            }
            BoundSession binding = plainRequestId != null
                    ? binding(plainRequestId, functionId, worker, listener, pool, Duration.ZERO,
                            b -> sessionEnded(b.listener))
                    : mintAndBind(functionId, worker, key, listener, pool);
            Session opened = binding.adoptOpened(lease);
            if (!session.complete(opened)) {
                opened.release();
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

    /**
     * Attaches to the session this id names, on this replica or (from the id alone) one opened on another. Shares
     * its slot while it holds one, else waits for its own worker's next free slot ahead of new sessions. Fails at
     * once with NOT_FOUND for an id that is malformed, tampered with, of another function or key, expired, or
     * whose worker is gone or unhealthy; with RESOURCE_EXHAUSTED if its worker stays full for the queue wait.
     * Cancelling the returned future while it waits detaches.
     */
    public CompletableFuture<Session> resume(String requestId, ApiKey key, UUID functionId, String listener) {
        SessionIds.Decoded id = ids.decode(requestId);
        if (id == null) {
            return refuse(IdRefusal.UNKNOWN);
        }
        if (id.keyDigest() != SessionIds.keyDigest(key.id())) {
            return refuse(IdRefusal.FOREIGN_KEY);
        }
        BoundSession binding = bound.get(requestId);
        if (binding != null && !(binding.functionId.equals(functionId)
                && ids.verifies(id, functionId, binding.worker, key.id()))) {
            return refuse(IdRefusal.UNKNOWN);
        }
        if (binding == null) {
            if (ended.getIfPresent(requestId) != null
                    || id.issuedAt().plus(sessions.idMaxAge()).isBefore(clock.instant())) {
                return refuse(IdRefusal.EXPIRED);
            }
            FunctionPool pool = directory.pool(functionId);
            List<Worker> candidates = pool == null ? List.of() : pool.workers().stream()
                    .filter(w -> SessionIds.instanceDigest(w) == id.instanceDigest()).toList();
            Worker worker = candidates.stream().filter(w -> ids.verifies(id, functionId, w, key.id())).findFirst()
                    .orElse(null);
            if (worker == null) {
                // No worker by that digest: it is gone. One that fails the signature: the id is not ours.
                return refuse(candidates.isEmpty() ? IdRefusal.WORKER_GONE : IdRefusal.UNKNOWN);
            }
            if (!worker.healthy()) {
                return refuse(IdRefusal.WORKER_GONE);
            }
            binding = bind(requestId, functionId, worker, listener, pool);
        }
        if (!binding.worker.healthy()) {
            return refuse(IdRefusal.WORKER_GONE);
        }
        if (!key.allows(functionId, binding.worker.versionId())) {
            return CompletableFuture.failedFuture(new RoutingException(Status.PERMISSION_DENIED.withDescription(
                    "this key may no longer invoke version " + binding.worker.versionId() + " of function "
                            + functionId)));
        }
        CompletableFuture<Session> attached = binding.attach();
        if (attached == null) {
            return refuse(IdRefusal.EXPIRED);
        }
        metrics.sessionResumed(listener);
        return attached;
    }

    /** A new binding under a fresh id; the nonce makes a clash rare, and a clash here is minted again. */
    private BoundSession mintAndBind(UUID functionId, Worker worker, ApiKey key, String listener, FunctionPool pool) {
        while (true) {
            String requestId = ids.mint(functionId, worker, key.id(), clock.instant());
            if (!bound.containsKey(requestId) && ended.getIfPresent(requestId) == null) {
                BoundSession binding = binding(requestId, functionId, worker, listener, pool,
                        sessions.reconnectWindow(), this::ended);
                if (bound.putIfAbsent(requestId, binding) == null) {
                    return binding;
                }
                sessionEnded(listener);
            }
        }
    }

    /** The binding of this id: an existing one wins a race between two adoptions of the same id. */
    private BoundSession bind(String requestId, UUID functionId, Worker worker, String listener, FunctionPool pool) {
        return bound.computeIfAbsent(requestId, id -> binding(id, functionId, worker, listener, pool,
                sessions.reconnectWindow(), this::ended));
    }

    private BoundSession binding(String requestId, UUID functionId, Worker worker, String listener, FunctionPool pool,
            Duration window, Consumer<BoundSession> onEnd) {
        open.computeIfAbsent(listener, l -> new AtomicInteger()).incrementAndGet();
        return new BoundSession(requestId, functionId, worker, listener, pool, properties.queueMaxWait(), window,
                directory.timer(), onEnd);
    }

    private void ended(BoundSession binding) {
        ended.put(binding.requestId, Boolean.TRUE);
        bound.remove(binding.requestId, binding);
        sessionEnded(binding.listener);
    }

    private void sessionEnded(String listener) {
        open.get(listener).decrementAndGet();
    }

    private CompletableFuture<Session> refuse(IdRefusal reason) {
        metrics.sessionIdRefused(reason.name().toLowerCase(Locale.ROOT));
        return CompletableFuture.failedFuture(new RoutingException(Status.NOT_FOUND.withDescription(REFUSED)));
    }
}

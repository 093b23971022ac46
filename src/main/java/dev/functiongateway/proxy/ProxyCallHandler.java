package dev.functiongateway.proxy;

import java.io.InputStream;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.springframework.stereotype.Component;

import dev.functiongateway.auth.ApiKey;
import dev.functiongateway.auth.ApiKeyService;
import dev.functiongateway.auth.Authentication;
import dev.functiongateway.auth.BearerToken;
import dev.functiongateway.auth.Scope;
import dev.functiongateway.observability.CallMetrics;
import dev.functiongateway.registry.RegistryCache;
import dev.functiongateway.registry.RegistrySnapshot.FunctionEntry;
import dev.functiongateway.registry.RegistrySnapshot.VersionEntry;
import dev.functiongateway.routing.ConnectionSessions;
import dev.functiongateway.routing.ConnectionSessions.SessionKey;
import dev.functiongateway.routing.RoutingException;
import dev.functiongateway.routing.Session;
import dev.functiongateway.routing.SessionRouter;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;

/**
 * Admits each proxied call: reads its metadata, checks the key (on every call, not once per connection),
 * resolves the function in the registry snapshot, and binds the call to its connection's session, opening one
 * if needed. Everything here is in memory and non-blocking; a call that must wait for a worker slot returns
 * at once and starts when the slot comes.
 */
@Component
class ProxyCallHandler implements ServerCallHandler<InputStream, InputStream> {

    private static final ServerCall.Listener<InputStream> CLOSED = new ServerCall.Listener<>() {
    };
    private static final String LISTENER = "grpc";

    private final ApiKeyService keys;
    private final RegistryCache registry;
    private final SessionRouter router;
    private final ProxyServices services;
    private final CallMetrics metrics;

    ProxyCallHandler(ApiKeyService keys, RegistryCache registry, SessionRouter router, ProxyServices services) {
        this.keys = keys;
        this.registry = registry;
        this.router = router;
        this.services = services;
        this.metrics = services.observer().metrics();
    }

    @Override
    public ServerCall.Listener<InputStream> startCall(ServerCall<InputStream, InputStream> call, Metadata headers) {
        ProxyCall proxyCall = new ProxyCall(call, headers, services);
        UUID functionId;
        UUID versionId;
        try {
            functionId = ProxyHeaders.uuid(headers, ProxyHeaders.FUNCTION_ID);
            versionId = ProxyHeaders.uuid(headers, ProxyHeaders.FUNCTION_VERSION_ID);
        } catch (IllegalArgumentException e) {
            return refuse(proxyCall, Status.INVALID_ARGUMENT.withDescription(e.getMessage()), null, null);
        }
        if (functionId == null) {
            return refuse(proxyCall, Status.INVALID_ARGUMENT.withDescription(
                    "function-id metadata is required: the UUID of the function to invoke"), null, null);
        }
        Authentication auth = keys.authenticate(BearerToken.extract(headers.get(ProxyHeaders.AUTHORIZATION)));
        if (!auth.succeeded()) {
            metrics.authFailure(LISTENER, auth.failure());
            return refuse(proxyCall, Status.UNAUTHENTICATED.withDescription(auth.failure().message()), functionId,
                    null);
        }
        ApiKey key = auth.key();
        if (!key.has(Scope.INVOKE_FUNCTION)) {
            metrics.authFailure(LISTENER, "missing_scope");
            return refuse(proxyCall, Status.PERMISSION_DENIED.withDescription(
                    "this key lacks the 'invoke_function' scope"), functionId, key.id());
        }
        if (versionId == null ? !key.allowsAnyVersionOf(functionId) : !key.allows(functionId, versionId)) {
            metrics.authFailure(LISTENER, "function_not_allowed");
            return refuse(proxyCall, Status.PERMISSION_DENIED.withDescription("this key may not invoke function "
                    + functionId + (versionId == null ? "" : " version " + versionId)), functionId, key.id());
        }
        Status unresolved = resolve(functionId, versionId);
        if (unresolved != null) {
            return refuse(proxyCall, unresolved, functionId, key.id());
        }

        proxyCall.admitted(functionId, key.id(), metrics.meters(functionId));
        ConnectionSessions sessions = call.getAttributes().get(ConnectionTracker.SESSIONS);
        CompletableFuture<Session> session = sessions.session(new SessionKey(functionId, versionId),
                () -> timed(functionId, router.open(functionId, versionId, key)));
        session.whenComplete((pinned, error) -> {
            if (error != null) {
                proxyCall.fail(statusOf(error));
            } else if (!key.allows(functionId, pinned.versionId())) {
                proxyCall.fail(Status.PERMISSION_DENIED.withDescription("this connection's session for function "
                        + functionId + " is on version " + pinned.versionId() + ", which this key may not invoke"));
            } else {
                proxyCall.start(pinned);
            }
        });
        return proxyCall;
    }

    /** Records how long a new session took to get its worker, queue wait included. */
    private CompletableFuture<Session> timed(UUID functionId, CompletableFuture<Session> opening) {
        long start = System.nanoTime();
        return opening.whenComplete(
                (session, error) -> metrics.sessionSetUp(functionId, System.nanoTime() - start, error == null));
    }

    /** NOT_FOUND for an unknown function or version, UNAVAILABLE when nothing of it is deployed; else null. */
    private Status resolve(UUID functionId, UUID versionId) {
        FunctionEntry function = registry.snapshot().function(functionId);
        if (function == null) {
            return Status.NOT_FOUND.withDescription("function " + functionId + " does not exist");
        }
        if (versionId != null) {
            VersionEntry version = function.versions().get(versionId);
            if (version == null) {
                return Status.NOT_FOUND.withDescription("function " + functionId + " has no version " + versionId);
            }
            if (!version.version().status().servesCalls()) {
                return Status.UNAVAILABLE.withDescription("version " + versionId + " of function " + functionId
                        + " is " + version.version().status() + ", not ACTIVE");
            }
        } else if (function.versions().values().stream().noneMatch(v -> v.version().status().servesCalls())) {
            return Status.UNAVAILABLE.withDescription("function " + functionId + " has no ACTIVE version");
        }
        return null;
    }

    private static Status statusOf(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof RoutingException routing ? routing.status()
                : Status.INTERNAL.withDescription("the gateway failed to route the call").withCause(cause);
    }

    private static ServerCall.Listener<InputStream> refuse(ProxyCall call, Status status, UUID functionId,
            UUID keyId) {
        call.refuse(status, functionId, keyId);
        return CLOSED;
    }
}

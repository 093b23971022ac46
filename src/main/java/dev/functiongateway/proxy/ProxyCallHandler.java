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
import dev.functiongateway.registry.RegistryCache;
import dev.functiongateway.registry.RegistrySnapshot.FunctionEntry;
import dev.functiongateway.registry.RegistrySnapshot.VersionEntry;
import dev.functiongateway.routing.ConnectionSessions;
import dev.functiongateway.routing.ConnectionSessions.SessionKey;
import dev.functiongateway.routing.HealthChecker;
import dev.functiongateway.routing.RoutingException;
import dev.functiongateway.routing.Session;
import dev.functiongateway.routing.SessionRouter;
import io.grpc.Context;
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

    private final ApiKeyService keys;
    private final RegistryCache registry;
    private final SessionRouter router;
    private final HealthChecker health;
    private final InFlightCalls inFlight;

    ProxyCallHandler(ApiKeyService keys, RegistryCache registry, SessionRouter router, HealthChecker health,
            InFlightCalls inFlight) {
        this.keys = keys;
        this.registry = registry;
        this.router = router;
        this.health = health;
        this.inFlight = inFlight;
    }

    @Override
    public ServerCall.Listener<InputStream> startCall(ServerCall<InputStream, InputStream> call, Metadata headers) {
        UUID functionId;
        UUID versionId;
        try {
            functionId = ProxyHeaders.uuid(headers, ProxyHeaders.FUNCTION_ID);
            versionId = ProxyHeaders.uuid(headers, ProxyHeaders.FUNCTION_VERSION_ID);
        } catch (IllegalArgumentException e) {
            return refuse(call, Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
        }
        if (functionId == null) {
            return refuse(call, Status.INVALID_ARGUMENT.withDescription(
                    "function-id metadata is required: the UUID of the function to invoke"));
        }
        Authentication auth = keys.authenticate(BearerToken.extract(headers.get(ProxyHeaders.AUTHORIZATION)));
        if (!auth.succeeded()) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription(auth.failure().message()));
        }
        ApiKey key = auth.key();
        if (!key.has(Scope.INVOKE_FUNCTION)) {
            return refuse(call, Status.PERMISSION_DENIED.withDescription("this key lacks the 'invoke_function' scope"));
        }
        if (versionId == null ? !key.allowsAnyVersionOf(functionId) : !key.allows(functionId, versionId)) {
            return refuse(call, Status.PERMISSION_DENIED.withDescription("this key may not invoke function "
                    + functionId + (versionId == null ? "" : " version " + versionId)));
        }
        Status unresolved = resolve(functionId, versionId);
        if (unresolved != null) {
            return refuse(call, unresolved);
        }

        ConnectionSessions sessions = call.getAttributes().get(ConnectionTracker.SESSIONS);
        ProxyCall proxyCall = new ProxyCall(call, headers, Context.current().getDeadline(), health, inFlight);
        CompletableFuture<Session> session = sessions.session(new SessionKey(functionId, versionId),
                () -> router.open(functionId, versionId, key));
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

    private static ServerCall.Listener<InputStream> refuse(ServerCall<InputStream, InputStream> call, Status status) {
        call.close(status, new Metadata());
        return CLOSED;
    }
}

package dev.functiongateway.proxy;

import java.io.InputStream;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.springframework.stereotype.Component;

import dev.functiongateway.auth.ApiKey;
import dev.functiongateway.observability.CallMetrics;
import dev.functiongateway.routing.ConnectionSessions;
import dev.functiongateway.routing.ConnectionSessions.SessionKey;
import dev.functiongateway.routing.InvocationAdmission;
import dev.functiongateway.routing.InvocationAdmission.Admission;
import dev.functiongateway.routing.InvocationAdmission.Refusal;
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

    private final InvocationAdmission admission;
    private final SessionRouter router;
    private final ProxyServices services;
    private final CallMetrics metrics;

    ProxyCallHandler(InvocationAdmission admission, SessionRouter router, ProxyServices services) {
        this.admission = admission;
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
        Admission admitted = admission.admit(headers.get(ProxyHeaders.AUTHORIZATION), functionId, versionId,
                LISTENER);
        if (!admitted.admitted()) {
            return refuse(proxyCall, statusOf(admitted.refusal()).withDescription(admitted.message()), functionId,
                    admitted.key() == null ? null : admitted.key().id());
        }
        ApiKey key = admitted.key();

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

    private static Status statusOf(Refusal refusal) {
        return switch (refusal) {
            case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
            case PERMISSION_DENIED -> Status.PERMISSION_DENIED;
            case NOT_FOUND -> Status.NOT_FOUND;
            case UNAVAILABLE -> Status.UNAVAILABLE;
        };
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

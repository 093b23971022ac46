package dev.functiongateway.http;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;
import org.springframework.cloud.gateway.filter.WebsocketRoutingFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.functiongateway.support.ProblemResponses;
import dev.functiongateway.auth.ApiKey;
import dev.functiongateway.auth.ApiKeyService;
import dev.functiongateway.auth.Authentication;
import dev.functiongateway.observability.CallObserver;
import dev.functiongateway.observability.CallRecord;
import dev.functiongateway.registry.InferenceProtocol;
import dev.functiongateway.registry.RegistryProperties;
import dev.functiongateway.registry.RegistrySnapshot.FunctionEntry;
import dev.functiongateway.registry.RegistrySnapshot.VersionEntry;
import dev.functiongateway.routing.HealthChecker;
import dev.functiongateway.routing.InvocationAdmission;
import dev.functiongateway.routing.InvocationAdmission.Admission;
import dev.functiongateway.routing.InvocationAdmission.Refusal;
import dev.functiongateway.routing.RoutingException;
import dev.functiongateway.routing.Session;
import dev.functiongateway.routing.SessionRouter;
import dev.functiongateway.routing.Worker;
import dev.functiongateway.support.LogSafe;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.publisher.Sinks;

/**
 * The HTTP route's one filter, for both routes ({@link InvocationRouteConfig}): checks the key, resolves the
 * function, binds the request to a session, and points Spring Cloud Gateway at the worker. Which session:
 * <ul>
 * <li>{@code NVCF-REQID} (header, or {@code nvcf-reqid.<id>} WebSocket subprotocol item) names one: the request
 * attaches to it, on its worker, under its id ({@link SessionRouter#resume}); unknown ids get 404 at once;</li>
 * <li>a WebSocket upgrade without one opens a new resumable session of its own (on-demand binding): the upgrade
 * answer carries its {@code NVCF-REQID}, and it holds its slot as long as the WebSocket is open;</li>
 * <li>any other request is a session of its own, for its length.</li>
 * </ul>
 * The request's lifetime owns its attachment ({@link RequestLifetime}): released when its answer's body has
 * ended, or it fails or is cancelled, and a client that leaves while queued leaves the queue. The client's key
 * never goes upstream, nor the gateway's subprotocol items; {@code nvcf-reqid}, {@code function-id} and
 * {@code function-version-id} do, and {@code NVCF-REQID} comes back. A WebSocket is closed within
 * {@code gateway.registry.refresh-interval} of its key's revocation or expiry ({@link InvocationWebSockets}), and
 * so is a streaming answer ({@link RevocableAnswers}). Refusals are problem details. A {@code POST} to the pexec
 * path that names no session may turn into 202-and-poll: {@link LongRunningCalls} wraps the exchange before this
 * filter. Runs after {@link RouteToRequestUrlFilter}, whose placeholder URL it replaces. Threading: any event-loop
 * thread; nothing blocks.
 */
@Component
class FunctionInvocationFilter implements GatewayFilter, Ordered, DisposableBean {

    static final Pattern PEXEC = Pattern.compile("/v2/nvcf/pexec/functions/([^/]+)(?:/versions/([^/]+))?/?");
    static final String REQUEST_ID = "NVCF-REQID";
    static final String STATUS = "NVCF-STATUS";
    static final String POLL_SECONDS = "NVCF-POLL-SECONDS";
    static final String FUNCTION_ID = "Function-ID";
    static final String FUNCTION_VERSION_ID = "Function-Version-ID";
    private static final String LISTENER = "http";
    /**
     * Exchange attribute: a {@code Mono} that emits when the call's key has been revoked or has expired, which
     * ends its WebSocket ({@link InvocationWebSockets}) or its streaming answer ({@link RevocableAnswers}).
     */
    static final String KEY_LAPSE = FunctionInvocationFilter.class.getName() + ".keyLapse";
    /** The problem's detail when the worker closed, reset or garbled its answer (502). */
    static final String WORKER_FAILED = "the function's worker failed to answer";
    private static final Logger log = LoggerFactory.getLogger(FunctionInvocationFilter.class);

    /** One admitted request: what it calls, with which key, and how it reached the gateway. */
    private record Call(UUID functionId, UUID versionId, ApiKey key, FunctionEntry function, boolean pexec,
            boolean webSocket, WebSocketItems items, Seen seen) {
    }

    private final InvocationAdmission admission;
    private final SessionRouter router;
    private final HealthChecker health;
    private final ProblemResponses problems;
    private final CallObserver observer;
    private final ApiKeyService keys;
    /**
     * One tick every {@code gateway.registry.refresh-interval} for the key watches of every request in flight
     * ({@link #keyLapse}), each tick to the watches there are at the time. A timer per request, scheduled and
     * cancelled on Reactor's parallel scheduler, woke one of its threads on every request (bench/RESULTS.md,
     * session 16).
     */
    private final Sinks.Many<Long> keyRechecks = Sinks.many().multicast().directBestEffort();
    private final Disposable keyRecheckClock;
    /**
     * Workers whose failure was logged at WARN within the last minute: a worker that fails every request (one that
     * does not speak HTTP) is one warning a minute, not one per request. Bounded in time and size.
     */
    private final Cache<Worker, Boolean> recentlyWarned = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofMinutes(1)).maximumSize(10_000).build();

    FunctionInvocationFilter(InvocationAdmission admission, SessionRouter router, HealthChecker health,
            ProblemResponses problems, CallObserver observer, ApiKeyService keys, RegistryProperties registry) {
        this.observer = observer;
        this.keys = keys;
        this.keyRecheckClock = Flux.interval(registry.refreshInterval()).subscribe(keyRechecks::tryEmitNext);
        this.admission = admission;
        this.router = router;
        this.health = health;
        this.problems = problems;
    }

    @Override
    public int getOrder() {
        return RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 1;
    }

    /** What the access log and metrics learn of a request as it is routed; written by the request's chain only. */
    private static final class Seen {
        final long startNanos = System.nanoTime();
        volatile UUID functionId;
        volatile UUID keyId;
        volatile Session session;
    }

    /**
     * Every request, refused or forwarded, ends with one access-log line and one metric sample, when its answer
     * has ended ({@link RequestLifetime}).
     */
    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Seen seen = new Seen();
        RequestLifetime.onEnd(exchange, ended -> observer.callEnded(record(exchange, seen, ended)));
        return route(exchange, chain, seen);
    }

    private static CallRecord record(ServerWebExchange exchange, Seen seen, RequestLifetime.Ended ended) {
        // 499: the client closed the connection before it had an answer (nginx's code for it). Once the answer has
        // begun, its status stands.
        boolean clientLeft = !exchange.getResponse().isCommitted() && (ended.signal() == SignalType.CANCEL
                || ConnectionFailures.clientGone(exchange.getResponse()));
        ServerHttpRequest request = exchange.getRequest();
        HttpStatusCode status = exchange.getResponse().getStatusCode();
        Session session = seen.session;
        return CallRecord.http(session == null ? null : session.requestId(), request.getRemoteAddress(),
                seen.functionId, session == null ? null : session.versionId(),
                request.getMethod().name() + " " + request.getPath().value(),
                clientLeft ? 499 : status == null ? 200 : status.value(), System.nanoTime() - seen.startNanos,
                ended.requestBytes(), ended.responseBytes(), seen.keyId,
                request.getHeaders().getFirst("traceparent"), session != null);
    }

    private Mono<Void> route(ServerWebExchange exchange, GatewayFilterChain chain, Seen seen) {
        ServerHttpRequest request = exchange.getRequest();
        HttpHeaders headers = request.getHeaders();
        boolean webSocket = "websocket".equalsIgnoreCase(headers.getUpgrade());
        WebSocketItems items = webSocket ? WebSocketItems.of(headers) : WebSocketItems.NONE;
        Matcher pexec = PEXEC.matcher(request.getPath().value());
        boolean pexecPath = pexec.matches();
        String rawFunction = pexecPath ? pexec.group(1) : first(headers.getFirst(FUNCTION_ID), items.functionId());
        String rawVersion = pexecPath ? pexec.group(2) : headers.getFirst(FUNCTION_VERSION_ID);
        if (rawFunction == null) {
            return problems.write(exchange, HttpStatus.NOT_FOUND, "invoke a function at"
                    + " /v2/nvcf/pexec/functions/{functionId}[/versions/{versionId}], or on any path with a"
                    + " Function-ID header");
        }
        UUID functionId;
        UUID versionId;
        try {
            functionId = UUID.fromString(rawFunction.trim());
            versionId = rawVersion == null ? null : UUID.fromString(rawVersion.trim());
        } catch (IllegalArgumentException e) {
            return problems.write(exchange, HttpStatus.BAD_REQUEST, "function and version ids must be UUIDs");
        }
        seen.functionId = functionId;
        Admission admitted = admission.admit(first(headers.getFirst(HttpHeaders.AUTHORIZATION), items.authorization()),
                functionId, versionId, LISTENER);
        seen.keyId = admitted.key() == null ? null : admitted.key().id();
        if (!admitted.admitted()) {
            return problems.write(exchange, statusOf(admitted.refusal()), admitted.message());
        }
        String grpcOnly = grpcOnly(admitted.function(), versionId);
        if (grpcOnly != null) {
            return problems.write(exchange, HttpStatus.BAD_REQUEST, grpcOnly);
        }
        Call call = new Call(functionId, versionId, admitted.key(), admitted.function(), pexecPath, webSocket, items,
                seen);
        String named = first(headers.getFirst(REQUEST_ID), items.requestId());
        if (named != null) {
            return proxy(exchange, chain, call,
                    () -> router.resume(named.trim(), call.key(), functionId, LISTENER));
        }
        if (webSocket) {
            return proxy(exchange, chain, call, () -> router.open(functionId, versionId, call.key(), LISTENER));
        }
        // A long-running pexec call already has its id (it may be answered 202 before the session opens).
        String requestId = exchange.getAttributes().containsKey(LongRunningCalls.REQUEST_ID_ATTR)
                ? exchange.getRequiredAttribute(LongRunningCalls.REQUEST_ID_ATTR) : UUID.randomUUID().toString();
        exchange.getAttributes().put(LongRunningCalls.KEY_ID_ATTR, call.key().id());
        return proxy(exchange, chain, call,
                () -> router.openForRequest(functionId, versionId, call.key(), LISTENER, requestId));
    }

    /**
     * Holds a session attachment for the request's lifetime ({@link RequestLifetime}: to the end of its answer's
     * body, however the request ends); refusals become problem details.
     */
    private Mono<Void> proxy(ServerWebExchange exchange, GatewayFilterChain chain, Call call,
            Supplier<CompletableFuture<Session>> session) {
        return attachment(session)
                .flatMap(attached -> {
                    RequestLifetime.onEnd(exchange, ended -> attached.release());
                    call.seen().session = attached;
                    return forward(exchange, chain, call, attached);
                })
                .onErrorResume(error -> {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    return cause instanceof RoutingException refused && !exchange.getResponse().isCommitted()
                            ? problems.write(exchange, Problems.statusOf(refused.status().getCode()),
                                    refused.getMessage())
                            : Mono.error(error);
                });
    }

    /**
     * The session the request attaches to, once granted. A client that leaves while it waits cancels the wait (the
     * request leaves the queue); but a session granted in that same instant reaches no one, and Reactor discards
     * it: it is released then, or it would hold its worker's slot for good.
     */
    static Mono<Session> attachment(Supplier<CompletableFuture<Session>> session) {
        return Mono.fromFuture(session).doOnDiscard(Session.class, Session::release);
    }

    private Mono<Void> forward(ServerWebExchange exchange, GatewayFilterChain chain, Call call, Session session) {
        VersionEntry version = call.function().versions().get(session.versionId());
        ServerHttpRequest request = exchange.getRequest();
        String path = call.pexec()
                ? (version.version().inferenceUrl() == null ? "/" : version.version().inferenceUrl())
                : request.getURI().getRawPath();
        // A WebSocket upgrade goes out as ws/wss: Spring Cloud Gateway's WebsocketRoutingFilter switches the scheme.
        String scheme = session.worker().instance().tls() ? "https" : "http";
        URI target = URI.create(scheme + "://" + session.worker().instance().address() + path
                + (request.getURI().getRawQuery() == null ? "" : "?" + request.getURI().getRawQuery()));
        ServerWebExchange forwarded = exchange.mutate().request(r -> r.headers(h -> {
            h.remove(HttpHeaders.AUTHORIZATION);
            h.remove(POLL_SECONDS);
            h.remove(FUNCTION_VERSION_ID);
            h.set(REQUEST_ID, session.requestId());
            h.set(FUNCTION_ID, call.functionId().toString());
            h.set(FUNCTION_VERSION_ID, session.versionId().toString());
            if (call.webSocket()) {
                h.remove(WebsocketRoutingFilter.SEC_WEBSOCKET_PROTOCOL);
                if (!call.items().upstream().isEmpty()) {
                    h.put(WebsocketRoutingFilter.SEC_WEBSOCKET_PROTOCOL, call.items().upstream());
                }
            }
        })).build();
        if (call.items().answer() != null) {
            forwarded.getAttributes().put(InvocationWebSockets.ANSWER, call.items().answer());
        }
        forwarded.getAttributes().put(KEY_LAPSE, keyLapse(call.key()));
        forwarded.getAttributes().put(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR, target);
        forwarded.getResponse().beforeCommit(() -> {
            forwarded.getResponse().getHeaders().set(REQUEST_ID, session.requestId());
            return Mono.empty();
        });
        return chain.filter(forwarded).onErrorResume(error -> upstreamFailed(forwarded, session, error));
    }

    /**
     * Emits, within {@code gateway.registry.refresh-interval} of it (keys reload that often), when the key has been
     * revoked or has expired.
     */
    private Mono<Authentication> keyLapse(ApiKey key) {
        return keyRechecks.asFlux().map(tick -> keys.recheck(key)).filter(now -> !now.succeeded()).next();
    }

    @Override
    public void destroy() {
        keyRecheckClock.dispose();
    }

    /**
     * The worker failed before it answered: it could not be reached (503, and it is taken out until a health
     * check passes), was too slow (504), or closed or reset the connection or answered something that is not HTTP
     * (502). These are the worker's faults, not the gateway's: no stack trace, one line, at DEBUG when a connection
     * failed or timed out (the access log has the status), else at WARN, once a minute per worker. Failures once its
     * answer is on its way are {@link ConnectionFailures}'.
     */
    private Mono<Void> upstreamFailed(ServerWebExchange exchange, Session session, Throwable error) {
        if (ConnectionFailures.clientGone(exchange.getResponse())) {
            // It went away (mid-upload, say), which is why the worker's side failed: nothing to answer, and the
            // call may have been cancelled already, so an error now would only be dropped (and logged by Reactor).
            return Mono.empty();
        }
        if (exchange.getResponse().isCommitted()) {
            return Mono.error(error);
        }
        // Not a connection's failure: the worker answered something that is not HTTP (an h2c-only gRPC server
        // registered as an HTTP function, say), or something else broke. One line, no stack trace.
        boolean warn = !(error instanceof IOException || error instanceof TimeoutException
                || error instanceof ResponseStatusException)
                && recentlyWarned.asMap().putIfAbsent(session.worker(), Boolean.TRUE) == null;
        if (warn) {
            log.warn("HTTP call {} to worker {} failed: {} (more failures of this worker within a minute: DEBUG)",
                    session.requestId(), session.worker(), LogSafe.escape(String.valueOf(error)));
        } else {
            log.debug("HTTP call {} to worker {} failed: {}", session.requestId(), session.worker(),
                    LogSafe.escape(String.valueOf(error)));
        }
        if (error instanceof ConnectException) {
            health.reportUnreachable(session.worker());
            return problems.write(exchange, HttpStatus.SERVICE_UNAVAILABLE,
                    "the function's worker is unreachable; try again");
        }
        if (error instanceof TimeoutException || error instanceof ResponseStatusException status
                && status.getStatusCode() == HttpStatus.GATEWAY_TIMEOUT) {
            return problems.write(exchange, HttpStatus.GATEWAY_TIMEOUT,
                    "the function's worker did not answer in time");
        }
        return problems.write(exchange, HttpStatus.BAD_GATEWAY, WORKER_FAILED);
    }

    /** A message if the call can only be served over gRPC, else null. */
    private static String grpcOnly(FunctionEntry function, UUID versionId) {
        boolean http = function.versions().values().stream()
                .filter(v -> versionId == null ? v.version().status().servesCalls() : v.version().id().equals(versionId))
                .anyMatch(v -> v.version().inferenceProtocol() == InferenceProtocol.HTTP);
        return http ? null : "function " + function.function().id() + (versionId == null ? "" : " version " + versionId)
                + " is a gRPC function: call it on the gateway's gRPC listener with function-id metadata, not over"
                + " HTTP";
    }

    private static HttpStatus statusOf(Refusal refusal) {
        return switch (refusal) {
            case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
            case PERMISSION_DENIED -> HttpStatus.FORBIDDEN;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
        };
    }

    private static String first(String preferred, String fallback) {
        return preferred != null ? preferred : fallback;
    }
}

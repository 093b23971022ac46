package dev.functiongateway.http;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

import dev.functiongateway.auth.ApiKey;
import dev.functiongateway.registry.RegistrySnapshot.FunctionEntry;
import dev.functiongateway.registry.RegistrySnapshot.VersionEntry;
import dev.functiongateway.routing.InvocationAdmission;
import dev.functiongateway.routing.InvocationAdmission.Admission;
import dev.functiongateway.routing.InvocationAdmission.Refusal;
import dev.functiongateway.routing.RoutingException;
import dev.functiongateway.routing.Session;
import dev.functiongateway.routing.SessionRouter;
import io.grpc.Status;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP route's one filter: checks the key, resolves the function, takes a worker slot for the length of the
 * request, and points Spring Cloud Gateway at the worker's inference URL (WebSocket upgrades included). The client's {@code Authorization} never goes upstream; {@code nvcf-reqid}, {@code function-id}
 * and {@code function-version-id} do, and {@code nvcf-reqid} comes back. Refusals are problem details.
 * Runs after {@link RouteToRequestUrlFilter}, whose placeholder URL it replaces.
 */
@Component
class FunctionInvocationFilter implements GatewayFilter, Ordered {

    private static final Pattern PATH = Pattern.compile(
            "/v2/nvcf/pexec/functions/([^/]+)(?:/versions/([^/]+))?/?");
    private static final String REQUEST_ID = "nvcf-reqid";
    private static final String LISTENER = "http";

    private final InvocationAdmission admission;
    private final SessionRouter router;
    private final JsonMapper json;

    FunctionInvocationFilter(InvocationAdmission admission, SessionRouter router, JsonMapper json) {
        this.admission = admission;
        this.router = router;
        this.json = json;
    }

    @Override
    public int getOrder() {
        return RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 1;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Matcher path = PATH.matcher(exchange.getRequest().getPath().value());
        if (!path.matches()) {
            return problem(exchange, HttpStatus.NOT_FOUND,
                    "invoke a function at /v2/nvcf/pexec/functions/{functionId}[/versions/{versionId}]");
        }
        UUID functionId;
        UUID versionId;
        try {
            functionId = UUID.fromString(path.group(1));
            versionId = path.group(2) == null ? null : UUID.fromString(path.group(2));
        } catch (IllegalArgumentException e) {
            return problem(exchange, HttpStatus.BAD_REQUEST, "function and version ids must be UUIDs");
        }
        Admission admitted = admission.admit(exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION),
                functionId, versionId, LISTENER);
        if (!admitted.admitted()) {
            return problem(exchange, statusOf(admitted.refusal()), admitted.message());
        }
        ApiKey key = admitted.key();
        FunctionEntry function = admitted.function();
        // The request's lifetime owns the session's slot: released when it completes, fails or is cancelled, and
        // a client that leaves while queued cancels the pending session, which leaves the queue.
        return Mono.usingWhen(Mono.fromFuture(() -> router.open(functionId, versionId, key)),
                        session -> forward(exchange, chain, session, function),
                        session -> Mono.fromRunnable(session::release))
                .onErrorResume(RoutingException.class, e -> refused(exchange, e))
                .onErrorResume(CompletionException.class, e -> e.getCause() instanceof RoutingException routing
                        ? refused(exchange, routing)
                        : Mono.error(e));
    }

    private Mono<Void> forward(ServerWebExchange exchange, GatewayFilterChain chain, Session session,
            FunctionEntry function) {
        VersionEntry version = function.versions().get(session.versionId());
        String inferenceUrl = version.version().inferenceUrl() == null ? "/" : version.version().inferenceUrl();
        // A WebSocket upgrade goes out as ws/wss: Spring Cloud Gateway's WebsocketRoutingFilter switches the scheme.
        String scheme = session.worker().instance().tls() ? "https" : "http";
        URI target = URI.create(scheme + "://" + session.worker().instance().address() + inferenceUrl
                + (exchange.getRequest().getURI().getRawQuery() == null ? ""
                        : "?" + exchange.getRequest().getURI().getRawQuery()));
        ServerWebExchange forwarded = exchange.mutate().request(r -> r.headers(h -> {
            h.remove(HttpHeaders.AUTHORIZATION);
            h.set(REQUEST_ID, session.requestId());
            h.set("function-id", function.function().id().toString());
            h.set("function-version-id", session.versionId().toString());
        })).build();
        forwarded.getAttributes().put(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR, target);
        forwarded.getResponse().beforeCommit(() -> {
            forwarded.getResponse().getHeaders().set(REQUEST_ID, session.requestId());
            return Mono.empty();
        });
        return chain.filter(forwarded);
    }

    private static HttpStatus statusOf(Refusal refusal) {
        return switch (refusal) {
            case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
            case PERMISSION_DENIED -> HttpStatus.FORBIDDEN;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
        };
    }

    private Mono<Void> refused(ServerWebExchange exchange, RoutingException e) {
        HttpStatus status = e.status().getCode() == Status.Code.RESOURCE_EXHAUSTED ? HttpStatus.TOO_MANY_REQUESTS
                : HttpStatus.SERVICE_UNAVAILABLE;
        return problem(exchange, status, e.getMessage());
    }

    private Mono<Void> problem(ServerWebExchange exchange, HttpStatus status, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setInstance(exchange.getRequest().getURI());
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (status == HttpStatus.UNAUTHORIZED) {
            response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        byte[] body = json.writeValueAsString(problem).getBytes(StandardCharsets.UTF_8);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }
}

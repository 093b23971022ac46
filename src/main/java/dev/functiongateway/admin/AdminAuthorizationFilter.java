package dev.functiongateway.admin;

import java.util.List;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import dev.functiongateway.support.ProblemResponses;
import dev.functiongateway.auth.ApiKeyService;
import dev.functiongateway.auth.Authentication;
import dev.functiongateway.auth.BearerToken;
import dev.functiongateway.observability.CallMetrics;
import reactor.core.publisher.Mono;

/**
 * The one place that decides who may call what on the HTTP listener, deny by default. A few path prefixes are
 * public or authenticate on their own ({@link #PERMITTED}); every other request needs a valid bearer key (else
 * 401), must name an existing operation (else 404), and that operation must declare a {@link RequiredScope}
 * the key holds (else 403; an operation that declares none is refused to everyone). The key then travels with
 * the exchange as the {@link Caller} of the operation, which checks the key's function restriction.
 *
 * <p>Why a filter and not Spring Security's method security: the admin operations return plain values and run
 * on the blocking executor, while reactive method security only guards methods that return a Publisher; and one
 * annotation read here and in the OpenAPI description keeps enforcement and documentation the same.
 */
@Component
class AdminAuthorizationFilter implements WebFilter, Ordered {

    /**
     * Served without this filter's check: actuator (health probes, metrics; a management port of its own in
     * production), the OpenAPI description, and the HTTP invocation route, which checks keys itself.
     */
    static final List<String> PERMITTED = List.of("/actuator", "/v3/api-docs", "/v2/nvcf/pexec/");

    /** The request names no operation: 404. */
    private static final Object NO_OPERATION = new Object();
    /** The path exists but not for this method or content type (405, 415): the dispatcher answers that. */
    private static final Object DISPATCHER_ANSWERS = new Object();

    private final ApiKeyService keys;
    private final HandlerMapping operations;
    private final ProblemResponses problems;
    private final CallMetrics metrics;

    AdminAuthorizationFilter(ApiKeyService keys,
            @Qualifier("requestMappingHandlerMapping") HandlerMapping operations, ProblemResponses problems,
            CallMetrics metrics) {
        this.keys = keys;
        this.operations = operations;
        this.problems = problems;
        this.metrics = metrics;
    }

    @Override
    public int getOrder() {
        return 0;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (PERMITTED.stream().anyMatch(path::startsWith)) {
            return chain.filter(exchange);
        }
        if (invokesByHeader(exchange.getRequest().getHeaders())) {
            // The HTTP route's header form (which checks keys itself), unless the path is one of the gateway's own
            // operations: those are matched first and keep their check.
            return operations.getHandler(exchange).hasElement().onErrorReturn(true)
                    .flatMap(own -> own ? checked(exchange, chain, path) : chain.filter(exchange));
        }
        return checked(exchange, chain, path);
    }

    /** A {@code Function-ID} header, or a WebSocket's {@code function-id.<uuid>} subprotocol item. */
    private static boolean invokesByHeader(HttpHeaders headers) {
        String protocols = headers.getFirst("Sec-WebSocket-Protocol");
        return headers.containsHeader("Function-ID") || (protocols != null && protocols.contains("function-id."));
    }

    private Mono<Void> checked(ServerWebExchange exchange, WebFilterChain chain, String path) {
        Authentication auth = keys.authenticate(
                BearerToken.extract(exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION)));
        if (!auth.succeeded()) {
            metrics.authFailure("http", auth.failure());
            exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            return problems.write(exchange, HttpStatus.UNAUTHORIZED, auth.failure().message());
        }
        return operations.getHandler(exchange)
                .defaultIfEmpty(NO_OPERATION)
                .onErrorReturn(DISPATCHER_ANSWERS)
                .flatMap(handler -> authorize(exchange, chain, new Caller(auth.key()), handler, path));
    }

    private Mono<Void> authorize(ServerWebExchange exchange, WebFilterChain chain, Caller caller, Object handler,
            String path) {
        if (handler == NO_OPERATION) {
            return problems.write(exchange, HttpStatus.NOT_FOUND,
                    "there is no admin operation " + exchange.getRequest().getMethod().name() + " " + path);
        }
        if (handler != DISPATCHER_ANSWERS) {
            RequiredScope required = handler instanceof HandlerMethod method
                    ? method.getMethodAnnotation(RequiredScope.class) : null;
            if (required == null) {
                return problems.write(exchange, HttpStatus.FORBIDDEN, "this operation is not open to API keys");
            }
            if (!caller.key().has(required.value())) {
                metrics.authFailure("http", "forbidden");
                return problems.write(exchange, HttpStatus.FORBIDDEN,
                        "this key lacks the '" + required.value().wireName() + "' scope");
            }
        }
        exchange.getAttributes().put(Caller.ATTRIBUTE, caller);
        return chain.filter(exchange);
    }
}

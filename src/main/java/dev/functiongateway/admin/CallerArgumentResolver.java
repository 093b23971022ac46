package dev.functiongateway.admin;

import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.BindingContext;
import org.springframework.web.reactive.result.method.HandlerMethodArgumentResolver;
import org.springframework.web.server.ServerWebExchange;

import dev.functiongateway.auth.ApiKeyService;
import dev.functiongateway.auth.Authentication;
import dev.functiongateway.auth.BearerToken;
import dev.functiongateway.observability.CallMetrics;
import reactor.core.publisher.Mono;

/** Supplies {@link Caller} parameters from the {@code Authorization: Bearer} header, or fails with 401. */
@Component
public class CallerArgumentResolver implements HandlerMethodArgumentResolver {

    private final ApiKeyService keys;
    private final CallMetrics metrics;

    public CallerArgumentResolver(ApiKeyService keys, CallMetrics metrics) {
        this.keys = keys;
        this.metrics = metrics;
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == Caller.class;
    }

    @Override
    public Mono<Object> resolveArgument(MethodParameter parameter, BindingContext bindingContext,
            ServerWebExchange exchange) {
        String token = BearerToken.extract(exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION));
        Authentication result = keys.authenticate(token);
        if (!result.succeeded()) {
            metrics.authFailure("http", result.failure());
            return Mono.error(new UnauthenticatedException(result.failure().message()));
        }
        return Mono.just(new Caller(result.key()));
    }
}

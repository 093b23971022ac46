package dev.functiongateway.admin;

import org.springframework.core.MethodParameter;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.BindingContext;
import org.springframework.web.reactive.result.method.HandlerMethodArgumentResolver;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

/**
 * Supplies {@link Caller} parameters from the exchange, where {@link AdminAuthorizationFilter} put it. A request
 * that reached an operation without passing that filter is refused with 401.
 */
@Component
class CallerArgumentResolver implements HandlerMethodArgumentResolver {

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == Caller.class;
    }

    @Override
    public Mono<Object> resolveArgument(MethodParameter parameter, BindingContext bindingContext,
            ServerWebExchange exchange) {
        Caller caller = exchange.getAttribute(Caller.ATTRIBUTE);
        return caller != null ? Mono.just(caller)
                : Mono.error(new UnauthenticatedException("no API key: send 'Authorization: Bearer <key>'"));
    }
}

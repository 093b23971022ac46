package dev.functiongateway.http;

import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The HTTP route: {@code /v2/nvcf/pexec/functions/{functionId}[/versions/{versionId}]}, any method, and WebSocket
 * upgrades on the same path, forwarded to a worker's inference URL by {@link FunctionInvocationFilter}. The
 * route's own URI is a placeholder: the filter chooses the worker per request.
 */
@Configuration(proxyBeanMethods = false)
class InvocationRouteConfig {

    static final String ROUTE_ID = "function-invocation";

    @Bean
    RouteLocator functionInvocationRoute(RouteLocatorBuilder routes, FunctionInvocationFilter invocation) {
        return routes.routes()
                .route(ROUTE_ID, r -> r.path("/v2/nvcf/pexec/functions/**")
                        .filters(f -> f.filter(invocation))
                        .uri("http://function-worker.invalid"))
                .build();
    }
}

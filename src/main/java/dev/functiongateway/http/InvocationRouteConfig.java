package dev.functiongateway.http;

import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The HTTP route, two ways in, both through {@link FunctionInvocationFilter}:
 * <ul>
 * <li>{@code /v2/nvcf/pexec/functions/{functionId}[/versions/{versionId}]}, any method and WebSocket upgrades,
 * forwarded to the worker's inference URL;</li>
 * <li>header routing: any other path with a {@code Function-ID} header (optional {@code Function-Version-ID}),
 * or a WebSocket with a {@code function-id.<uuid>} subprotocol item, forwarded with its path and query unchanged.
 * The gateway's own endpoints (admin API, status polls, actuator) are matched first and never routed.</li>
 * </ul>
 * The routes' own URI is a placeholder: the filter chooses the worker per request.
 */
@Configuration(proxyBeanMethods = false)
class InvocationRouteConfig {

    static final String ROUTE_ID = "function-invocation";
    static final String HEADER_ROUTE_ID = "function-invocation-by-header";

    @Bean
    RouteLocator functionInvocationRoute(RouteLocatorBuilder routes, FunctionInvocationFilter invocation) {
        return routes.routes()
                .route(ROUTE_ID, r -> r.order(0).path("/v2/nvcf/pexec/functions/**")
                        .filters(f -> f.filter(invocation))
                        .uri("http://function-worker.invalid"))
                .route(HEADER_ROUTE_ID, r -> r.order(1)
                        .header(FunctionInvocationFilter.FUNCTION_ID)
                        .or().header("Sec-WebSocket-Protocol", ".*function-id\\..*")
                        .filters(f -> f.filter(invocation))
                        .uri("http://function-worker.invalid"))
                .build();
    }
}

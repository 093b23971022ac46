package dev.functiongateway.http;

import java.util.List;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.cloud.gateway.filter.WebsocketRoutingFilter;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

/**
 * What the gateway adds to an invocation WebSocket that Spring Cloud Gateway proxies, through two exchange
 * attributes that {@link FunctionInvocationFilter} sets:
 * <ul>
 * <li>{@link #ANSWER}: the handshake answers a browser with one of the gateway's own subprotocol items. Spring
 * Cloud Gateway offers the client only the subprotocols it forwards upstream, and the gateway's items are never
 * forwarded; so the handshake is run as if the client had offered just that item, and the upstream connection
 * still gets none of them.</li>
 * <li>{@link FunctionInvocationFilter#KEY_LAPSE}: when it emits (the key was revoked or expired), the proxying
 * ends and both the client's and the worker's WebSocket are closed: an open WebSocket does not outlive its key,
 * as a gRPC call does not.</li>
 * </ul>
 * Threading: reactive; the handshake on the HTTP server's event loops, the key's watch on Reactor's parallel
 * scheduler (an in-memory lookup every refresh interval); the attributes are set before the handshake.
 */
@Configuration(proxyBeanMethods = false)
class InvocationWebSockets {

    /** Exchange attribute: the subprotocol item to answer with (see {@link WebSocketItems#answer()}). */
    static final String ANSWER = InvocationWebSockets.class.getName() + ".answer";

    @Bean
    static BeanPostProcessor invocationWebSocketService() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                return bean instanceof WebSocketService service && !(bean instanceof Invocation)
                        ? new Invocation(service) : bean;
            }
        };
    }

    private record Invocation(WebSocketService delegate) implements WebSocketService {

        @Override
        public Mono<Void> handleRequest(ServerWebExchange exchange, WebSocketHandler handler) {
            String answer = exchange.getAttribute(ANSWER);
            Mono<?> keyLapse = exchange.getAttribute(FunctionInvocationFilter.KEY_LAPSE);
            if (answer == null && keyLapse == null) {
                return delegate.handleRequest(exchange, handler);
            }
            ServerWebExchange offered = answer == null ? exchange : exchange.mutate()
                    .request(r -> r.headers(h -> h.set(WebsocketRoutingFilter.SEC_WEBSOCKET_PROTOCOL, answer))).build();
            return delegate.handleRequest(offered, new WebSocketHandler() {
                @Override
                public List<String> getSubProtocols() {
                    return answer == null ? handler.getSubProtocols() : List.of(answer);
                }

                /**
                 * A lapse of the key cancels the proxying: Reactor Netty closes the client's side (with no status)
                 * and Spring Cloud Gateway the worker's. A close with a status (1008 and the reason) was tried:
                 * sent while the proxying runs, Spring Cloud Gateway's own close could release the same frame
                 * and the client saw 1006 in 3 runs of 4, with a reference-count warning in the log.
                 */
                @Override
                public Mono<Void> handle(WebSocketSession session) {
                    return keyLapse == null ? handler.handle(session)
                            : handler.handle(session).takeUntilOther(keyLapse);
                }
            });
        }
    }
}

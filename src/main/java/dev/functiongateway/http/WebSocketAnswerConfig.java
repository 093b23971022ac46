package dev.functiongateway.http;

import java.util.List;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.cloud.gateway.filter.WebsocketRoutingFilter;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

/**
 * Lets the WebSocket handshake answer a browser with one of the gateway's own subprotocol items. Spring Cloud
 * Gateway offers the client only the subprotocols it forwards upstream, and the gateway's items are never
 * forwarded; so when {@link FunctionInvocationFilter} leaves an answer in {@link #ANSWER}, the handshake is run
 * as if the client had offered just that item, and the upstream connection still gets none of them.
 */
@Configuration(proxyBeanMethods = false)
class WebSocketAnswerConfig {

    /** Exchange attribute: the subprotocol item to answer with (see {@link WebSocketItems#answer()}). */
    static final String ANSWER = WebSocketAnswerConfig.class.getName() + ".answer";

    @Bean
    static BeanPostProcessor answeringWebSocketService() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                return bean instanceof WebSocketService service && !(bean instanceof Answering)
                        ? new Answering(service) : bean;
            }
        };
    }

    private record Answering(WebSocketService delegate) implements WebSocketService {

        @Override
        public Mono<Void> handleRequest(ServerWebExchange exchange, WebSocketHandler handler) {
            String answer = exchange.getAttribute(ANSWER);
            if (answer == null) {
                return delegate.handleRequest(exchange, handler);
            }
            ServerWebExchange offered = exchange.mutate()
                    .request(r -> r.headers(h -> h.set(WebsocketRoutingFilter.SEC_WEBSOCKET_PROTOCOL, answer))).build();
            return delegate.handleRequest(offered, new WebSocketHandler() {
                @Override
                public List<String> getSubProtocols() {
                    return List.of(answer);
                }

                @Override
                public Mono<Void> handle(WebSocketSession session) {
                    return handler.handle(session);
                }
            });
        }
    }
}

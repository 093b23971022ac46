package dev.functiongateway.http;

import org.reactivestreams.Publisher;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An answer that streams (server-sent events, a slow download) stops when its key is revoked or expires: the
 * worker's side is cancelled and the client's connection (its stream, on HTTP/2) is cut, so that the cut body
 * never looks complete. A key grants no more than it has, however long the answer; a gRPC call and a WebSocket
 * end the same way. The key's watch is {@link FunctionInvocationFilter#KEY_LAPSE}, set on admission and looked up
 * when the body starts. Only a body on its way to the client is cut: one that a 202-and-poll call captures goes
 * on (its result is fetched with a key that is checked then). Wraps Spring Cloud Gateway's response writer, the
 * innermost of the filters around it. Threading: any event-loop thread; the watch on Reactor's parallel scheduler (an
 * in-memory lookup every registry refresh); nothing blocks.
 */
@Component
class RevocableAnswers implements GlobalFilter, Ordered {

    /** Just before Spring Cloud Gateway's response writer: the body it writes is the one cut. */
    static final int ORDER = NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER - 1;

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        return chain.filter(exchange.mutate().response(new Revocable(exchange)).build());
    }

    private static final class Revocable extends ServerHttpResponseDecorator {

        private final ServerWebExchange exchange;

        Revocable(ServerWebExchange exchange) {
            super(exchange.getResponse());
            this.exchange = exchange;
        }

        @Override
        public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
            return super.writeWith(Flux.from(body).takeUntilOther(cutOff()));
        }

        @Override
        public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
            return super.writeAndFlushWith(Flux.from(body).takeUntilOther(cutOff()));
        }

        /** Emits, having cut the client's connection, when the key lapses while the body goes to the client. */
        private Mono<?> cutOff() {
            Mono<?> keyLapse = exchange.getAttribute(FunctionInvocationFilter.KEY_LAPSE);
            if (keyLapse == null) { // a refusal: the gateway's own short answer
                return Mono.never();
            }
            return keyLapse.filter(lapsed -> isCommitted()).doOnNext(lapsed -> ConnectionFailures.cutShort(this))
                    .switchIfEmpty(Mono.never());
        }
    }
}

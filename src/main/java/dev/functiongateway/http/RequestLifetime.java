package dev.functiongateway.http;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.reactivestreams.Publisher;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

/**
 * The end of an HTTP-route request as its worker sees it: once its answer's body has been written to the client
 * (or captured, for a 202-and-poll call), or the request failed or was cancelled. What holds a worker for the
 * request, its session's slot, is released then ({@link #onEnd}), and the call is recorded then, with the bytes
 * that actually passed each way: not when the answer's head arrives, so a server-sent event stream or a slow
 * download keeps its slot, and is timed and counted, to the end. Inside {@link LongRunningCalls} (whose 202 does
 * not end the call), around everything else that can still change the answer ({@link ConnectionFailures},
 * {@link RevocableAnswers}) and Spring Cloud Gateway's response writer. Threading: any thread; each request's
 * lifetime ends once, and what it runs then runs on the thread that ends it.
 */
@Component
class RequestLifetime implements GlobalFilter, Ordered {

    private static final String ATTRIBUTE = RequestLifetime.class.getName();
    static final int ORDER = ConnectionFailures.ORDER - 1;

    /** How a request ended: its last signal, and the body bytes that passed each way. */
    record Ended(SignalType signal, long requestBytes, long responseBytes) {
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Lifetime lifetime = new Lifetime();
        exchange.getAttributes().put(ATTRIBUTE, lifetime);
        ServerWebExchange counted = exchange.mutate()
                .request(new ServerHttpRequestDecorator(exchange.getRequest()) {
                    @Override
                    public Flux<DataBuffer> getBody() {
                        return super.getBody().doOnNext(b -> lifetime.requestBytes.addAndGet(b.readableByteCount()));
                    }
                })
                .response(new ServerHttpResponseDecorator(exchange.getResponse()) {
                    @Override
                    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
                        return super.writeWith(Flux.from(body).doOnNext(lifetime::wrote));
                    }

                    @Override
                    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
                        return super.writeAndFlushWith(
                                Flux.from(body).map(part -> Flux.from(part).doOnNext(lifetime::wrote)));
                    }
                }).build();
        return chain.filter(counted).doFinally(lifetime::end);
    }

    /**
     * Runs {@code action} when the exchange's request ends; at once if it has ended already (a request cancelled
     * while its session was being opened).
     */
    static void onEnd(ServerWebExchange exchange, Consumer<Ended> action) {
        Lifetime lifetime = exchange.getAttribute(ATTRIBUTE);
        if (lifetime == null) { // not routed through this filter: cannot happen on the invocation routes
            throw new IllegalStateException("no request lifetime on this exchange");
        }
        lifetime.add(action);
    }

    private static final class Lifetime {

        final AtomicLong requestBytes = new AtomicLong();
        final AtomicLong responseBytes = new AtomicLong();
        // @GuardedBy("this"); null once ended
        private List<Consumer<Ended>> actions = new ArrayList<>();
        // @GuardedBy("this")
        private Ended ended;

        void wrote(DataBuffer buffer) {
            responseBytes.addAndGet(buffer.readableByteCount());
        }

        void add(Consumer<Ended> action) {
            Ended now;
            synchronized (this) {
                if (actions != null) {
                    actions.add(action);
                    return;
                }
                now = ended;
            }
            action.accept(now);
        }

        void end(SignalType signal) {
            List<Consumer<Ended>> due;
            Ended now = new Ended(signal, requestBytes.get(), responseBytes.get());
            synchronized (this) {
                due = actions;
                actions = null;
                ended = now;
            }
            if (due != null) {
                due.forEach(action -> action.accept(now));
            }
        }
    }
}

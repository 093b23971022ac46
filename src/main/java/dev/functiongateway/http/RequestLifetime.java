package dev.functiongateway.http;

import java.util.ArrayList;
import java.util.List;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

/**
 * The end of an HTTP-route request as its worker sees it: once its answer's body has been written to the client
 * (or captured, for a 202-and-poll call), or the request failed or was cancelled. What holds a worker for the
 * request, its session's slot, is released then ({@link #onEnd}), and not when the answer's head arrives: a
 * server-sent event stream or a slow download keeps its slot to the end. Wraps Spring Cloud Gateway's response
 * writer, inside {@link LongRunningCalls} (whose 202 does not end the call). Threading: any thread; each request's
 * lifetime is ended once, and what it runs then runs on the thread that ends it.
 */
@Component
class RequestLifetime implements GlobalFilter, Ordered {

    private static final String ATTRIBUTE = RequestLifetime.class.getName();
    static final int ORDER = NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER - 1;

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Ends ends = new Ends();
        exchange.getAttributes().put(ATTRIBUTE, ends);
        return chain.filter(exchange).doFinally(signal -> ends.run());
    }

    /**
     * Runs {@code action} when the exchange's request ends; at once if it has ended already (a request cancelled
     * while its session was being opened).
     */
    static void onEnd(ServerWebExchange exchange, Runnable action) {
        Ends ends = exchange.getAttribute(ATTRIBUTE);
        if (ends == null) { // not routed through this filter: cannot happen on the invocation routes
            throw new IllegalStateException("no request lifetime on this exchange");
        }
        ends.add(action);
    }

    private static final class Ends {

        // @GuardedBy("this")
        private List<Runnable> actions = new ArrayList<>();

        void add(Runnable action) {
            synchronized (this) {
                if (actions != null) {
                    actions.add(action);
                    return;
                }
            }
            action.run();
        }

        void run() {
            List<Runnable> due;
            synchronized (this) {
                due = actions;
                actions = null;
            }
            if (due != null) {
                due.forEach(Runnable::run);
            }
        }
    }
}

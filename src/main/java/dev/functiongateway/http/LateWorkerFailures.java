package dev.functiongateway.http;

import java.io.IOException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

import dev.functiongateway.support.LogSafe;
import dev.functiongateway.support.ProblemResponses;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

/**
 * A worker that fails while its answer is being passed on: it closes or resets the connection after its headers
 * or in the middle of its body. Before the first byte has gone to the client, the client gets 502; after, its
 * connection (its stream, on HTTP/2) is cut, so that a body cut short never looks complete, as a properly ended
 * chunked body would. One DEBUG line, no stack trace: the worker's fault, not the gateway's (the access log has
 * the call). Failures before the worker answered are {@link FunctionInvocationFilter}'s. Other errors pass on
 * as they are. Threading: any event-loop thread; nothing blocks.
 */
@Component
class LateWorkerFailures implements GlobalFilter, Ordered {

    private static final Logger log = LoggerFactory.getLogger(LateWorkerFailures.class);

    private final ProblemResponses problems;

    LateWorkerFailures(ProblemResponses problems) {
        this.problems = problems;
    }

    /** Around Spring Cloud Gateway's response writer, where the worker's body is read, and {@link LongRunningCalls}. */
    @Override
    public int getOrder() {
        return RevocableAnswers.ORDER - 1;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        return chain.filter(exchange).onErrorResume(IOException.class, error -> {
            ServerHttpResponse response = exchange.getResponse();
            log.debug("HTTP call {} failed while its answer was passed on: {}",
                    LogSafe.escape(exchange.getRequest().getPath().value()), LogSafe.escape(error.toString()));
            if (!response.isCommitted()) {
                // The worker's headers are in the response already; they are not the problem's.
                response.getHeaders().clear();
                return problems.write(exchange, HttpStatus.BAD_GATEWAY, FunctionInvocationFilter.WORKER_FAILED);
            }
            cutShort(response);
            return Mono.empty();
        });
    }

    /**
     * Ends a response that has begun without ending it properly: the client's connection (its stream, on HTTP/2)
     * is closed, so that a chunked body cannot look complete. Used by {@link RevocableAnswers} too.
     */
    static void cutShort(ServerHttpResponse response) {
        if (ServerHttpResponseDecorator.getNativeResponse(response) instanceof Connection client) {
            client.channel().close();
        }
    }
}

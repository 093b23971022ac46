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
 * A call whose client or worker connection fails midway. A client that went away (it cancelled, or closed its
 * connection mid-upload) is owed nothing: the call ends there. A worker that fails once its answer is on its way
 * (it closes or resets the connection after its headers or in the middle of its body): before the first byte has
 * gone to the client, the client gets 502; after, its connection (its stream, on HTTP/2) is cut, so that a body
 * cut short never looks complete, as a properly ended chunked body would. Either way one DEBUG line, no stack
 * trace: neither is the gateway's fault (the access log has the call). Failures before the worker answered are
 * {@link FunctionInvocationFilter}'s. Other errors pass on as they are. Wraps Spring Cloud Gateway's response
 * writer, inside {@link RequestLifetime} (which records the answer given) and so inside {@link LongRunningCalls}: a
 * detached call's answer goes to its poll result, which is never gone. Threading: any event-loop thread; nothing
 * blocks.
 */
@Component
class ConnectionFailures implements GlobalFilter, Ordered {

    private static final Logger log = LoggerFactory.getLogger(ConnectionFailures.class);

    private final ProblemResponses problems;

    ConnectionFailures(ProblemResponses problems) {
        this.problems = problems;
    }

    /** Around Spring Cloud Gateway's response writer, inside {@link RequestLifetime}, which records its answer. */
    static final int ORDER = RevocableAnswers.ORDER - 1;

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        return chain.filter(exchange).onErrorResume(error -> {
            ServerHttpResponse response = exchange.getResponse();
            boolean clientGone = clientGone(response);
            if (!clientGone && !(error instanceof IOException)) {
                return Mono.error(error);
            }
            log.debug("HTTP call {} ended early, {}: {}", LogSafe.escape(exchange.getRequest().getPath().value()),
                    clientGone ? "the client went away" : "the worker's connection failed",
                    LogSafe.escape(error.toString()));
            if (clientGone) {
                return Mono.empty();
            }
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
        if (client(response) instanceof Connection client) {
            client.channel().close();
        }
    }

    /**
     * Whether the client's connection (its stream, on HTTP/2) has closed: nothing can reach it any more. A
     * 202-and-poll call's answer goes to its poll result instead, which is never gone.
     */
    static boolean clientGone(ServerHttpResponse response) {
        for (ServerHttpResponse r = response; r instanceof ServerHttpResponseDecorator d; r = d.getDelegate()) {
            if (d instanceof PollingResponse polling && polling.detached()) {
                return false;
            }
        }
        return client(response) instanceof Connection client && !client.channel().isActive();
    }

    private static Object client(ServerHttpResponse response) {
        return ServerHttpResponseDecorator.getNativeResponse(response);
    }
}

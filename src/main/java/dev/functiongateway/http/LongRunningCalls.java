package dev.functiongateway.http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

import dev.functiongateway.support.ProblemResponses;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.concurrent.DefaultThreadFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * NVIDIA's pexec semantics for {@code POST /v2/nvcf/pexec/functions/...}: the call waits up to
 * {@code NVCF-POLL-SECONDS} (default {@code gateway.http.poll-wait}) for the worker; if the worker's response has
 * not begun by then the client gets 202 with {@code NVCF-REQID} and {@code NVCF-STATUS: in-progress}, and the call
 * goes on without it: its result is stored by {@link PollResults} for {@code GET /v2/nvcf/pexec/status/{id}}. The
 * call then belongs to the gateway, not the client connection: a client that leaves after the 202 does not
 * cancel it, one that leaves before does. Database writes run on the bounded-elastic scheduler, and only for calls
 * that outlived their wait. Threading: the filter on the HTTP server's event loops; the waits end on the thread
 * {@code http-poll-wait}.
 */
@Component
class LongRunningCalls implements GlobalFilter, Ordered, DisposableBean {

    /** Exchange attribute: the request id a long-running call is answered and polled under. */
    static final String REQUEST_ID_ATTR = LongRunningCalls.class.getName() + ".requestId";
    /** Exchange attribute: the id of the key that was admitted, set by {@link FunctionInvocationFilter}. */
    static final String KEY_ID_ATTR = LongRunningCalls.class.getName() + ".keyId";

    private static final Logger log = LoggerFactory.getLogger(LongRunningCalls.class);

    private final HttpRouteProperties properties;
    private final PollResults results;
    private final JsonMapper json;

    private final ProblemResponses problems;
    /**
     * Every call's wait, on a timing wheel (100 ms ticks, ample for waits of whole seconds): nearly all end with
     * the worker's answer within milliseconds. Reactor's {@code Mono.delay}, a task scheduled and cancelled per
     * call on its parallel scheduler, woke one of that scheduler's threads on every call (bench/RESULTS.md,
     * session 16); the wheel's thread ticks on its own, whatever the number of calls.
     */
    private final HashedWheelTimer waits = new HashedWheelTimer(new DefaultThreadFactory("http-poll-wait", true),
            100, TimeUnit.MILLISECONDS);

    LongRunningCalls(HttpRouteProperties properties, PollResults results, JsonMapper json, ProblemResponses problems) {
        this.properties = properties;
        this.results = results;
        this.json = json;
        this.problems = problems;
        // Its thread now, not on the first call: starting it waits for the thread, and calls run on event loops.
        waits.start();
    }

    /**
     * Before Spring Cloud Gateway's response writer, so that it writes to the response this filter decides on, and
     * outside {@link RequestLifetime}, since the 202 does not end the call.
     */
    static final int ORDER = RequestLifetime.ORDER - 1;

    @Override
    public int getOrder() {
        return ORDER;
    }

    /**
     * A {@code POST} to the pexec path that names no session and is no WebSocket may turn into 202-and-poll;
     * everything else passes untouched.
     */
    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        if (request.getMethod() != HttpMethod.POST
                || !FunctionInvocationFilter.PEXEC.matcher(request.getPath().value()).matches()
                || request.getHeaders().containsHeader(FunctionInvocationFilter.REQUEST_ID)
                || "websocket".equalsIgnoreCase(request.getHeaders().getUpgrade())) {
            return chain.filter(exchange);
        }
        Duration wait;
        try {
            wait = pollWait(request.getHeaders().getFirst(FunctionInvocationFilter.POLL_SECONDS));
        } catch (IllegalArgumentException e) {
            return problems.write(exchange, HttpStatus.BAD_REQUEST, e.getMessage());
        }
        String requestId = UUID.randomUUID().toString();
        exchange.getAttributes().put(REQUEST_ID_ATTR, requestId);
        return run(exchange, wait, requestId, chain::filter);
    }

    /**
     * The wait a client asked for in {@code NVCF-POLL-SECONDS} (null: the default).
     *
     * @throws IllegalArgumentException if it is not a whole number of seconds within 1 and the configured maximum
     */
    private Duration pollWait(String header) {
        if (header == null) {
            return properties.pollWait();
        }
        long seconds;
        try {
            seconds = Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            seconds = 0;
        }
        if (seconds < 1 || seconds > properties.maxPollWait().toSeconds()) {
            throw new IllegalArgumentException(FunctionInvocationFilter.POLL_SECONDS
                    + " must be a whole number of seconds from 1 to " + properties.maxPollWait().toSeconds());
        }
        return Duration.ofSeconds(seconds);
    }

    /**
     * Runs {@code call} (the proxied request, given the exchange whose response it must write) against a response
     * that turns into 202 after {@code wait}. The returned Mono is the client's: it completes when the client has
     * its answer, either the worker's or the 202.
     */
    private Mono<Void> run(ServerWebExchange exchange, Duration wait, String requestId,
            Function<ServerWebExchange, Mono<Void>> call) {
        PollingResponse response = new PollingResponse(exchange.getResponse(),
                (int) Math.min(Integer.MAX_VALUE, properties.resultMaxSize().toBytes()));
        ServerWebExchange decorated = exchange.mutate().response(response).build();
        Sinks.Empty<Void> answered = Sinks.empty();
        Mono<Void> started = Mono.<Void>fromRunnable(
                        () -> results.started(requestId, exchange.getRequiredAttribute(KEY_ID_ATTR)))
                .subscribeOn(Schedulers.boundedElastic()).cache();
        Timeout timer = waits.newTimeout(waited -> {
            // Only an admitted call (its key known) can be detached; a refused one has its answer already.
            if (exchange.getAttribute(KEY_ID_ATTR) != null && response.detach()) {
                started.then(response.accepted(requestId)).subscribe(null, answered::tryEmitError,
                        answered::tryEmitEmpty);
                // Store the worker's response once it is captured, whenever that is.
                started.then(response.captured()).flatMap(captured -> store(requestId, captured))
                        .subscribe(null, e -> log.warn("Could not store the result of call {}: {}", requestId,
                                e.getMessage()));
            }
        }, wait.toNanos(), TimeUnit.NANOSECONDS);
        Disposable proxied = call.apply(decorated).subscribe(null, error -> {
            timer.cancel();
            if (!response.detached()) {
                answered.tryEmitError(error);
            } else {
                log.debug("Long-running call {} failed after its 202", requestId, error);
            }
        }, () -> {
            timer.cancel();
            if (!response.detached()) {
                answered.tryEmitEmpty();
            }
        });
        return answered.asMono().doOnCancel(() -> {
            if (!response.detached()) {
                timer.cancel();
                proxied.dispose();
            }
        });
    }

    @Override
    public void destroy() {
        waits.stop();
    }

    private Mono<Void> store(String requestId, PollingResponse.Captured captured) {
        String problem = switch (captured.ending()) {
            case WHOLE -> null;
            case TOO_LARGE -> "the worker's response is larger than gateway.http.result-max-size ("
                    + properties.resultMaxSize().toBytes() + " bytes), so it was not kept; call with a"
                    + " larger NVCF-POLL-SECONDS, or ask for a smaller result";
            case WORKER_FAILED -> FunctionInvocationFilter.WORKER_FAILED;
        };
        int status = problem == null ? captured.status().value() : HttpStatus.BAD_GATEWAY.value();
        String type = problem == null ? captured.contentType() : MediaType.APPLICATION_PROBLEM_JSON_VALUE;
        byte[] body = problem == null ? captured.body()
                : json.writeValueAsString(ProblemDetail.forStatusAndDetail(HttpStatus.BAD_GATEWAY, problem))
                        .getBytes(StandardCharsets.UTF_8);
        return Mono.<Void>fromRunnable(() -> results.done(requestId, status, type, body))
                .subscribeOn(Schedulers.boundedElastic());
    }
}

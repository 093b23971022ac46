package dev.functiongateway.http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

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
 * that outlived their wait.
 */
@Component
class LongRunningCalls {

    private static final Logger log = LoggerFactory.getLogger(LongRunningCalls.class);

    private final HttpRouteProperties properties;
    private final PollResults results;
    private final JsonMapper json;

    LongRunningCalls(HttpRouteProperties properties, PollResults results, JsonMapper json) {
        this.properties = properties;
        this.results = results;
        this.json = json;
    }

    /**
     * The wait a client asked for in {@code NVCF-POLL-SECONDS} (null: the default).
     *
     * @throws IllegalArgumentException if it is not a whole number of seconds within 1 and the configured maximum
     */
    Duration pollWait(String header) {
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
    Mono<Void> run(ServerWebExchange exchange, Duration wait, String requestId, UUID keyId,
            Function<ServerWebExchange, Mono<Void>> call) {
        PollingResponse response = new PollingResponse(exchange.getResponse(),
                (int) Math.min(Integer.MAX_VALUE, properties.resultMaxSize().toBytes()));
        ServerWebExchange decorated = exchange.mutate().response(response).build();
        Sinks.Empty<Void> answered = Sinks.empty();
        Mono<Void> started = Mono.<Void>fromRunnable(() -> results.started(requestId, keyId))
                .subscribeOn(Schedulers.boundedElastic()).cache();
        Disposable timer = Mono.delay(wait).subscribe(tick -> {
            if (response.detach()) {
                started.then(response.accepted(requestId)).subscribe(null, answered::tryEmitError,
                        answered::tryEmitEmpty);
                // Store the worker's response once it is captured, whenever that is.
                started.then(response.captured()).flatMap(captured -> store(requestId, captured))
                        .subscribe(null, e -> log.warn("Could not store the result of call {}: {}", requestId,
                                e.getMessage()));
            }
        });
        Disposable proxied = call.apply(decorated).subscribe(null, error -> {
            timer.dispose();
            if (!response.detached()) {
                answered.tryEmitError(error);
            } else {
                log.debug("Long-running call {} failed after its 202", requestId, error);
            }
        }, () -> {
            timer.dispose();
            if (!response.detached()) {
                answered.tryEmitEmpty();
            }
        });
        return answered.asMono().doOnCancel(() -> {
            if (!response.detached()) {
                timer.dispose();
                proxied.dispose();
            }
        });
    }

    private Mono<Void> store(String requestId, PollingResponse.Captured captured) {
        int status = captured.status().value();
        String type = captured.contentType();
        byte[] body = captured.body();
        if (captured.tooLarge()) {
            status = HttpStatus.BAD_GATEWAY.value();
            type = MediaType.APPLICATION_PROBLEM_JSON_VALUE;
            body = json.writeValueAsString(ProblemDetail.forStatusAndDetail(HttpStatus.BAD_GATEWAY,
                    "the worker's response is larger than gateway.http.result-max-size ("
                            + properties.resultMaxSize().toBytes() + " bytes), so it was not kept; call with a"
                            + " larger NVCF-POLL-SECONDS, or ask for a smaller result"))
                    .getBytes(StandardCharsets.UTF_8);
        }
        int finalStatus = status;
        String finalType = type;
        byte[] finalBody = body;
        return Mono.<Void>fromRunnable(() -> results.done(requestId, finalStatus, finalType, finalBody))
                .subscribeOn(Schedulers.boundedElastic());
    }
}

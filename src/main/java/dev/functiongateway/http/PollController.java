package dev.functiongateway.http;

import java.util.Optional;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import dev.functiongateway.auth.ApiKeyService;
import dev.functiongateway.auth.Authentication;
import dev.functiongateway.auth.BearerToken;
import dev.functiongateway.auth.Scope;
import dev.functiongateway.observability.CallMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.swagger.v3.oas.annotations.Hidden;

/**
 * {@code GET /v2/nvcf/pexec/status/{requestId}}: the result of a call that was answered 202. The key that made
 * the call gets 202 while it runs and the worker's response (status, type, body) when done; any other key, an
 * unknown id and an expired result get the same 404. Blocking (JDBC), so it runs on the blocking executor.
 * Counted in {@code gateway_http_polls_total} by outcome. Part of the invocation route, with its own key check
 * (scope {@code invoke_function}), so it is not in the admin API's description.
 */
@Hidden
@RestController
class PollController {

    private final ApiKeyService keys;
    private final PollResults results;
    private final MeterRegistry metrics;
    private final CallMetrics callMetrics;

    PollController(ApiKeyService keys, PollResults results, MeterRegistry metrics, CallMetrics callMetrics) {
        this.keys = keys;
        this.results = results;
        this.metrics = metrics;
        this.callMetrics = callMetrics;
    }

    @GetMapping("/v2/nvcf/pexec/status/{requestId}")
    ResponseEntity<?> status(@PathVariable String requestId,
            @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization) {
        Authentication auth = keys.authenticate(BearerToken.extract(authorization));
        if (!auth.succeeded()) {
            callMetrics.authFailure("http", auth.failure());
            return problem("unauthenticated", HttpStatus.UNAUTHORIZED, auth.failure().message());
        }
        if (!auth.key().has(Scope.INVOKE_FUNCTION)) {
            callMetrics.authFailure("http", "missing_scope");
            return problem("forbidden", HttpStatus.FORBIDDEN, "this key lacks the 'invoke_function' scope");
        }
        Optional<PollResults.Result> found = results.find(requestId)
                .filter(result -> result.keyId().equals(auth.key().id()));
        if (found.isEmpty()) {
            return problem("not_found", HttpStatus.NOT_FOUND, "no call with this request id is running or has a"
                    + " result: it is unknown, or its result expired");
        }
        PollResults.Result result = found.get();
        if (PollResults.IN_PROGRESS.equals(result.state())) {
            count("in_progress");
            return ResponseEntity.accepted().header(FunctionInvocationFilter.REQUEST_ID, requestId)
                    .header(FunctionInvocationFilter.STATUS, PollResults.IN_PROGRESS).build();
        }
        count("done");
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(result.httpStatus())
                .header(FunctionInvocationFilter.REQUEST_ID, requestId)
                .header(FunctionInvocationFilter.STATUS, "fulfilled");
        if (result.contentType() != null) {
            answer.contentType(MediaType.parseMediaType(result.contentType()));
        }
        return answer.body(result.body() == null ? new byte[0] : result.body());
    }

    private ResponseEntity<ProblemDetail> problem(String outcome, HttpStatus status, String detail) {
        count(outcome);
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (status == HttpStatus.UNAUTHORIZED) {
            answer.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        return answer.body(ProblemDetail.forStatusAndDetail(status, detail));
    }

    private void count(String outcome) {
        metrics.counter("gateway.http.polls", "outcome", outcome).increment();
    }
}

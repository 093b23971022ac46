package dev.functiongateway.admin;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;

import dev.functiongateway.observability.CallMetrics;
import dev.functiongateway.support.ConflictException;
import dev.functiongateway.support.ForbiddenException;
import dev.functiongateway.support.NotFoundException;
import reactor.core.publisher.Mono;

/**
 * Turns every failure of an admin request into an RFC 9457 problem with a message a person can act on.
 * Unexpected errors become a 500 that says nothing of the internals; the details go to the log.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    private final CallMetrics metrics;

    ProblemHandler(CallMetrics metrics) {
        this.metrics = metrics;
    }

    @ExceptionHandler(UnauthenticatedException.class)
    ResponseEntity<ProblemDetail> unauthenticated(UnauthenticatedException e) {
        return ResponseEntity.status(HttpStatus.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .body(problem(HttpStatus.UNAUTHORIZED, e.getMessage()));
    }

    @ExceptionHandler(ForbiddenException.class)
    ProblemDetail forbidden(ForbiddenException e) {
        metrics.authFailure("http", "forbidden");
        return problem(HttpStatus.FORBIDDEN, e.getMessage());
    }

    @ExceptionHandler(NotFoundException.class)
    ProblemDetail notFound(NotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, e.getMessage());
    }

    @ExceptionHandler(ConflictException.class)
    ProblemDetail conflict(ConflictException e) {
        return problem(HttpStatus.CONFLICT, e.getMessage());
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail badRequest(IllegalArgumentException e) {
        return problem(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception e, ServerWebExchange exchange) {
        log.error("Admin request {} {} failed", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal error; the gateway log has the details");
    }

    /** Framework input errors (bad JSON, unknown field, bad UUID): say which part of the input is wrong. */
    @Override
    protected Mono<ResponseEntity<Object>> handleServerWebInputException(ServerWebInputException e,
            HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
        ProblemDetail body = problem(HttpStatus.BAD_REQUEST, inputProblem(e));
        return handleExceptionInternal(e, body, headers, status, exchange);
    }

    /**
     * Framework errors that carry no detail (405, 415) get one from their exception. An oversized body, which
     * Spring answers with 413, is answered as the malformed input it is: 400, saying what the limit is.
     */
    @Override
    protected Mono<ResponseEntity<Object>> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
            HttpStatusCode status, ServerWebExchange exchange) {
        if (status.value() == HttpStatus.CONTENT_TOO_LARGE.value()) {
            ProblemDetail tooLarge = problem(HttpStatus.BAD_REQUEST,
                    "the request body is larger than this API accepts (spring.codec.max-in-memory-size)");
            return super.handleExceptionInternal(e, tooLarge, headers, HttpStatus.BAD_REQUEST, exchange);
        }
        Object problemBody = body == null && e instanceof ErrorResponse response ? response.getBody() : body;
        if (problemBody instanceof ProblemDetail problem && problem.getDetail() == null) {
            problem.setDetail(e.getMessage());
        }
        return super.handleExceptionInternal(e, problemBody, headers, status, exchange);
    }

    private static String inputProblem(ServerWebInputException e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String reason = e.getReason() != null ? e.getReason() : "invalid request";
        if (cause == e || cause.getMessage() == null) {
            return reason;
        }
        // Jackson appends the source location after a newline; the first line says what is wrong.
        String message = cause.getMessage();
        int newline = message.indexOf('\n');
        return reason + ": " + (newline > 0 ? message.substring(0, newline) : message);
    }

    static ProblemDetail problem(HttpStatus status, String detail) {
        return ProblemDetail.forStatusAndDetail(status, detail);
    }
}

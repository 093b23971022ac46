package dev.functiongateway.admin;

import java.util.Locale;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.MethodParameter;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.resource.NoResourceFoundException;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;

import dev.functiongateway.observability.CallMetrics;
import dev.functiongateway.support.ConflictException;
import dev.functiongateway.support.ForbiddenException;
import dev.functiongateway.support.LogSafe;
import dev.functiongateway.support.NotFoundException;
import reactor.core.publisher.Mono;

/**
 * Turns every failure of an admin request into an RFC 9457 problem whose detail says what was wrong in the
 * request, in the request's terms: never a Java type, a method signature or framework wording. Unexpected errors
 * (of any request, the HTTP route's included: WebFlux sends them all here) become a 500 that says nothing of the
 * internals; the details go to the log.
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

    /**
     * The database is unreachable or failed mid-transaction: nothing was stored, and the client may try again.
     * One line in the log, no stack trace: an outage is an operational state, not a bug.
     */
    @ExceptionHandler({ DataAccessResourceFailureException.class, TransientDataAccessException.class,
            CannotCreateTransactionException.class, TransactionSystemException.class })
    ResponseEntity<ProblemDetail> databaseUnavailable(Exception e, ServerWebExchange exchange) {
        log.warn("Admin request {} {} refused, the database is unavailable: {}", exchange.getRequest().getMethod(),
                LogSafe.escape(exchange.getRequest().getPath().value()), LogSafe.escape(e.getClass().getSimpleName()));
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "5")
                .body(problem(HttpStatus.SERVICE_UNAVAILABLE, "the gateway's database is unavailable; nothing was "
                        + "changed; try again later (invocation goes on meanwhile)"));
    }

    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception e, ServerWebExchange exchange) {
        log.error("Request {} {} failed", exchange.getRequest().getMethod(),
                LogSafe.escape(exchange.getRequest().getPath().value()), e);
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
     * Every other framework error gets a detail of our own, since the framework's names classes or says "static
     * resource". An oversized body, which Spring answers with 413, is answered as the malformed input it is:
     * 400, saying what the limit is.
     */
    @Override
    protected Mono<ResponseEntity<Object>> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
            HttpStatusCode status, ServerWebExchange exchange) {
        if (status.value() == HttpStatus.CONTENT_TOO_LARGE.value()) {
            ProblemDetail tooLarge = problem(HttpStatus.BAD_REQUEST,
                    "the request body is larger than this API accepts (spring.codec.max-in-memory-size)");
            return super.handleExceptionInternal(e, tooLarge, headers, HttpStatus.BAD_REQUEST, exchange);
        }
        Object problemBody = body;
        if (!(e instanceof ServerWebInputException)) {
            problemBody = problem(HttpStatus.valueOf(status.value()), frameworkProblem(e, exchange));
        }
        return super.handleExceptionInternal(e, problemBody, headers, status, exchange);
    }

    private static String frameworkProblem(Exception e, ServerWebExchange exchange) {
        String request = exchange.getRequest().getMethod().name() + " "
                + LogSafe.escape(exchange.getRequest().getPath().value(), 200);
        if (e instanceof MethodNotAllowedException notAllowed) {
            return request + " is not an operation of this API; this path allows "
                    + notAllowed.getSupportedMethods().stream().map(m -> m.name()).sorted()
                            .collect(Collectors.joining(", "));
        }
        if (e instanceof UnsupportedMediaTypeStatusException) {
            return "send the request body as " + MediaType.APPLICATION_JSON_VALUE;
        }
        if (e instanceof NotAcceptableStatusException) {
            return "this API answers " + MediaType.APPLICATION_JSON_VALUE + " or "
                    + MediaType.APPLICATION_PROBLEM_JSON_VALUE;
        }
        if (e instanceof NoResourceFoundException) {
            return "there is no admin operation " + request;
        }
        HttpStatus status = e instanceof ErrorResponse response ? HttpStatus.resolve(response.getStatusCode().value())
                : null;
        return status == null ? "the request cannot be served" : status.getReasonPhrase().toLowerCase(Locale.ROOT);
    }

    private static String inputProblem(ServerWebInputException e) {
        MethodParameter parameter = e.getMethodParameter();
        PathVariable pathVariable = parameter == null ? null : parameter.getParameterAnnotation(PathVariable.class);
        if (pathVariable != null) {
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            return "path segment '" + pathVariable.value() + "': "
                    + (cause instanceof IllegalArgumentException ? cause.getMessage() : "is not valid");
        }
        String body = InputProblems.describe(e);
        if (body != null) {
            return body;
        }
        return e.getReason() != null && e.getReason().startsWith("No request body")
                ? "the request needs a JSON body" : "the request body could not be read";
    }

    static ProblemDetail problem(HttpStatus status, String detail) {
        return ProblemDetail.forStatusAndDetail(status, detail);
    }
}

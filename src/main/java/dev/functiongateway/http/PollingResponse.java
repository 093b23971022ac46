package dev.functiongateway.http;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;

import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The client's response to a long-running call. Until the worker's response begins it is undecided; then either
 * the worker's status comes first and the response passes through to the client untouched, or the poll wait
 * ends first and the client gets 202, after which the worker's response (status, type, body up to a bound) is
 * captured for {@link PollResults} instead. Whichever comes first wins, once (a compare-and-set), on any thread.
 */
final class PollingResponse extends ServerHttpResponseDecorator {

    private enum Mode {
        WAITING, PASSING, DETACHED
    }

    /** How the worker's response ended: whole, past the bound, or cut short by the worker (body null unless WHOLE). */
    enum Ending {
        WHOLE, TOO_LARGE, WORKER_FAILED
    }

    /** The worker's response as captured. */
    record Captured(HttpStatusCode status, String contentType, byte[] body, Ending ending) {
    }

    private final AtomicReference<Mode> mode = new AtomicReference<>(Mode.WAITING);
    private final HttpHeaders capturedHeaders = new HttpHeaders();
    private final Sinks.One<Captured> captured = Sinks.one();
    private final int maxBytes;
    private volatile HttpStatusCode capturedStatus = HttpStatus.OK;

    PollingResponse(ServerHttpResponse delegate, int maxBytes) {
        super(delegate);
        this.maxBytes = maxBytes;
    }

    /** The wait is over: true if the worker's response had not begun, so that the client gets 202. */
    boolean detach() {
        return mode.compareAndSet(Mode.WAITING, Mode.DETACHED);
    }

    boolean detached() {
        return mode.get() == Mode.DETACHED;
    }

    /** The worker's captured response; completes once it is in (only after {@link #detach}). */
    Mono<Captured> captured() {
        return captured.asMono();
    }

    /** Answers the client 202 with the request id; the worker's response is captured from now on. */
    Mono<Void> accepted(String requestId) {
        ServerHttpResponse client = getDelegate();
        client.setStatusCode(HttpStatus.ACCEPTED);
        client.getHeaders().set(FunctionInvocationFilter.REQUEST_ID, requestId);
        client.getHeaders().set(FunctionInvocationFilter.STATUS, PollResults.IN_PROGRESS);
        return client.setComplete();
    }

    private boolean passing() {
        mode.compareAndSet(Mode.WAITING, Mode.PASSING);
        return mode.get() == Mode.PASSING;
    }

    @Override
    public boolean setStatusCode(HttpStatusCode status) {
        if (passing()) {
            return super.setStatusCode(status);
        }
        capturedStatus = status;
        return true;
    }

    @Override
    public HttpStatusCode getStatusCode() {
        return detached() ? capturedStatus : super.getStatusCode();
    }

    @Override
    public HttpHeaders getHeaders() {
        return detached() ? capturedHeaders : super.getHeaders();
    }

    @Override
    public boolean isCommitted() {
        return !detached() && super.isCommitted();
    }

    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
        if (passing()) {
            return super.writeWith(body);
        }
        return DataBufferUtils.join(Flux.from(body), maxBytes)
                .map(joined -> {
                    byte[] bytes = new byte[joined.readableByteCount()];
                    joined.read(bytes);
                    DataBufferUtils.release(joined);
                    return capture(bytes, Ending.WHOLE);
                })
                .switchIfEmpty(Mono.fromSupplier(() -> capture(new byte[0], Ending.WHOLE)))
                .onErrorResume(DataBufferLimitException.class, e -> Mono.just(capture(null, Ending.TOO_LARGE)))
                // The worker closed or reset its connection mid-body: the poller gets a 502, not a wait without end.
                .onErrorResume(IOException.class, e -> Mono.just(capture(null, Ending.WORKER_FAILED)))
                .then();
    }

    @Override
    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
        return passing() ? super.writeAndFlushWith(body) : writeWith(Flux.from(body).concatMap(Flux::from));
    }

    @Override
    public Mono<Void> setComplete() {
        if (passing()) {
            return super.setComplete();
        }
        return Mono.fromRunnable(() -> capture(new byte[0], Ending.WHOLE));
    }

    private Captured capture(byte[] body, Ending ending) {
        Captured result = new Captured(capturedStatus, capturedHeaders.getFirst(HttpHeaders.CONTENT_TYPE), body,
                ending);
        captured.tryEmitValue(result);
        return result;
    }
}

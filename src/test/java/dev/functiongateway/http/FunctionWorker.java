package dev.functiongateway.http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.handler.codec.http.HttpHeaders;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A real HTTP worker on 127.0.0.1 for the HTTP route's session, polling, streaming and upload tests. Every
 * answer carries {@code x-worker: <name>}; the headers of every request are recorded in {@link #received}.
 * <ul>
 * <li>{@code GET /health}: 200.</li>
 * <li>{@code POST /infer}: echoes the body; with {@code x-hold} it first waits until {@link #open()}.</li>
 * <li>WebSocket {@code /infer}: echoes text frames; the upgrade's headers are recorded too.</li>
 * <li>{@code POST /count}: reads the body as it streams and answers its length in bytes.</li>
 * <li>{@code GET /events}: a {@code text/event-stream} of the events the test {@link #emit}s, until
 * {@link #endEvents()}.</li>
 * <li>{@code GET /big?bytes=n}: n bytes of 'x'.</li>
 * </ul>
 */
final class FunctionWorker implements AutoCloseable {

    final BlockingQueue<HttpHeaders> received = new LinkedBlockingQueue<>();
    /** Bytes {@code POST /count} has read so far, over all requests. */
    final AtomicLong counted = new AtomicLong();
    /** WebSockets on {@code /infer} open now. */
    final AtomicInteger openWebSockets = new AtomicInteger();
    private final AtomicReference<CompletableFuture<Void>> gate = new AtomicReference<>(new CompletableFuture<>());
    private final Sinks.Many<String> events = Sinks.many().unicast().onBackpressureBuffer();
    private final DisposableServer server;

    FunctionWorker(String name) {
        server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes
                        .get("/health", (request, response) -> response.sendString(Mono.just("ok")))
                        .ws("/infer", (in, out) -> {
                            received.add(in.headers().copy());
                            openWebSockets.incrementAndGet();
                            return out.sendString(in.receive().asString()).then()
                                    .doFinally(end -> openWebSockets.decrementAndGet());
                        })
                        .post("/infer", (request, response) -> {
                            received.add(request.requestHeaders().copy());
                            Mono<Void> wait = request.requestHeaders().contains("x-hold")
                                    ? Mono.fromFuture(gate.get()) : Mono.empty();
                            return wait.then(response.header("x-worker", name)
                                    .send(request.receive().retain()).then());
                        })
                        .post("/count", (request, response) -> {
                            received.add(request.requestHeaders().copy());
                            return response.header("x-worker", name).header("x-uri", request.uri())
                                    .sendString(request.receive()
                                    .map(buffer -> {
                                        long n = buffer.readableBytes();
                                        counted.addAndGet(n);
                                        return n;
                                    })
                                    .reduce(0L, Long::sum).map(String::valueOf));
                        })
                        .get("/events", (request, response) -> {
                            received.add(request.requestHeaders().copy());
                            return response.header("x-worker", name).header("content-type", "text/event-stream")
                                    .sendString(events.asFlux().map(e -> "data: " + e + "\n\n"))
                                    .then();
                        })
                        .get("/big", (request, response) -> {
                            received.add(request.requestHeaders().copy());
                            int bytes = Integer.parseInt(request.uri().replaceAll(".*bytes=", ""));
                            return response.header("x-worker", name)
                                    .sendString(Flux.just("x".repeat(bytes)), StandardCharsets.US_ASCII).then();
                        }))
                .bindNow(Duration.ofSeconds(10));
    }

    String address() {
        return "127.0.0.1:" + server.port();
    }

    /** Lets every held request answer, and later ones pass at once. */
    void open() {
        gate.get().complete(null);
    }

    void emit(String event) {
        events.tryEmitNext(event).orThrow();
    }

    /** Whether a client (the gateway) still reads the event stream. */
    boolean eventsRead() {
        return events.currentSubscriberCount() > 0;
    }

    void endEvents() {
        events.tryEmitComplete();
    }

    @Override
    public void close() {
        open();
        // Not disposeNow: it waits for every open connection to end gracefully, and a gateway's pooled
        // keep-alive connection can outlive the test by more than its 15 s.
        server.dispose();
    }
}

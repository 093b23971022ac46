package dev.functiongateway.support;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import io.netty.handler.codec.http.HttpHeaders;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A real HTTP worker on 127.0.0.1 for the HTTP route: {@code POST /infer} answers with its name and the request
 * body, {@code GET /infer} with a WebSocket upgrade echoes every text frame as text, {@code GET /health} is 200.
 * It records the headers of every POST to {@code /infer}.
 */
public final class HttpTestWorker implements AutoCloseable {

    public final BlockingQueue<HttpHeaders> received = new LinkedBlockingQueue<>();
    private final DisposableServer server;

    public HttpTestWorker(String name) {
        server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes
                        .get("/health", (request, response) -> response.sendString(Mono.just("ok")))
                        // sendString: a plain send(ByteBuf) would answer with binary frames.
                        .ws("/infer", (in, out) -> out.sendString(in.receive().asString()))
                        .post("/infer", (request, response) -> {
                            received.add(request.requestHeaders().copy());
                            return response.header("x-worker", name)
                                    .send(request.receive().retain());
                        }))
                .bindNow();
    }

    public String address() {
        return "127.0.0.1:" + server.port();
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}

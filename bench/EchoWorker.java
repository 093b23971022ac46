import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.LongAdder;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.WeightedFairQueueByteDistributor;

/**
 * The benchmark's gRPC echo worker: an HTTP/2 (h2c) server on Netty's codec that answers every request stream by
 * echoing its DATA frames back as they arrive. That is byte-valid gRPC for an echo of any method, streaming or not,
 * and of any message size, because no message is ever assembled: response HEADERS (:status 200, application/grpc)
 * go out at once, each DATA frame is written back retained (not copied), and the request's end is answered with
 * the trailers {@code grpc-status: 0}.
 *
 * <p>Memory stays bounded by HTTP/2 flow control: a DATA frame's bytes are returned to the peer's window only when
 * their echo has been written to the socket, so a peer that does not read the echo stops being able to send.
 *
 * <p>A request with the header {@code bench-echo: after-end} is answered the way a gRPC server answers a unary
 * call instead: nothing goes back until the whole request has arrived (its bytes are held, and returned to the
 * peer's window as they arrive), then the echo. gRPC's own servers (grpc-java, grpcio, Go) hand a handler the
 * whole request message before it can answer, so with them upload and download of one message never overlap;
 * this worker's direct memory then grows by the request's size. Each such call leaves one line on standard output:
 * its bytes, the upload's time (request HEADERS to its end) and the echo's (from there until the trailers are
 * written), as this worker saw them.
 *
 * <p>Also answers {@code grpc.health.v1.Health/Check} with SERVING (for the gateway's health checks), and
 * {@code GET /bench/stats} with plain text {@code ok=<n>}: the number of echo calls answered with grpc-status 0
 * since start (the benchmark compares it with the load generator's count of successes).
 *
 * <p>With a fourth argument it also listens there for HTTP/1.1 (the HTTP route's benchmark, {@link HttpEcho}):
 * {@code GET /health} is answered 200, any other request with its own body, as it arrives, under the request's
 * {@code content-type}; each such answer ended counts in {@code ok=} too.
 *
 * <p>Usage: {@code java -cp "$LIBDIR/*" EchoWorker.java <host> <port> [eventLoops [httpPort]]}. Threading: Netty
 * event loops (default 2); all per-stream work runs on the stream's connection's loop; the counter is a
 * {@link LongAdder}.
 */
public final class EchoWorker {

    private static final LongAdder OK_CALLS = new LongAdder();
    private static final String HEALTH_CHECK = "/grpc.health.v1.Health/Check";
    private static final String ECHO_MODE = "bench-echo";
    private static final String AFTER_END = "after-end";
    /** HealthCheckResponse{status: SERVING}, gRPC-framed: no compression, length 2, field 1 = 1. */
    private static final byte[] SERVING = {0, 0, 0, 0, 2, 0x08, 0x01};
    /** Per-stream receive window (bytes); the connection window is {@link #CONNECTION_WINDOW}. */
    private static final int STREAM_WINDOW = 1 << 20;
    private static final int CONNECTION_WINDOW = 16 << 20;

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int loops = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        var boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        var workers = new MultiThreadIoEventLoopGroup(loops, NioIoHandler.newFactory());
        Channel server = new ServerBootstrap().group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new Builder().build());
                    }
                })
                .bind(new InetSocketAddress(host, port)).sync().channel();
        System.out.println("echo worker listening on " + host + ":" + port + " with " + loops + " event loops");
        if (args.length > 3) {
            new ServerBootstrap().group(boss, workers)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpEcho());
                        }
                    })
                    .bind(new InetSocketAddress(host, Integer.parseInt(args[3]))).sync();
            System.out.println("HTTP/1.1 echo listening on " + host + ":" + args[3]);
        }
        server.closeFuture().sync();
    }

    static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<Handler, Builder> {
        Builder() {
            // Writes shared among streams in 16 KiB turns, as grpc-java's servers do ("Make benchmarks fast
            // again"): at Netty's default of 1 KiB, 4 concurrent echoes went out in frames of about 2 KiB.
            Http2Connection connection = new DefaultHttp2Connection(true);
            WeightedFairQueueByteDistributor distributor = new WeightedFairQueueByteDistributor(connection);
            distributor.allocationQuantum(16 * 1024);
            connection.remote().flowController(new DefaultHttp2RemoteFlowController(connection, distributor));
            connection(connection);
            initialSettings(Http2Settings.defaultSettings().initialWindowSize(STREAM_WINDOW)
                    .maxConcurrentStreams(100_000));
        }

        @Override
        public Handler build() {
            return super.build();
        }

        @Override
        protected Handler build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                Http2Settings initialSettings) {
            Handler handler = new Handler(decoder, encoder, initialSettings);
            decoder.frameListener(handler.listener);
            return handler;
        }
    }

    /** A request held until its end: when its HEADERS came ({@link System#nanoTime}) and its DATA, copied. */
    record Held(long start, ArrayDeque<ByteBuf> frames) {
    }

    static final class Handler extends Http2ConnectionHandler {
        private final Http2Connection.PropertyKey healthKey;
        /** The request held until its end ({@link Held}), on {@code bench-echo: after-end} streams only. */
        private final Http2Connection.PropertyKey heldKey;
        final Http2FrameAdapter listener = new Listener();

        Handler(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
            super(decoder, encoder, settings);
            healthKey = connection().newKey();
            heldKey = connection().newKey();
            connection().addListener(new Http2ConnectionAdapter() {
                @Override
                public void onStreamRemoved(Http2Stream stream) {
                    Held held = stream.removeProperty(heldKey);
                    if (held != null) {
                        held.frames().forEach(ByteBuf::release);
                    }
                }
            });
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
            super.handlerAdded(ctx);
            Http2Stream connectionStream = connection().connectionStream();
            connection().local().flowController().incrementWindowSize(connectionStream,
                    CONNECTION_WINDOW - connection().local().flowController().windowSize(connectionStream));
        }

        private void consumed(ChannelHandlerContext ctx, int streamId, int bytes) {
            Http2Stream stream = connection().stream(streamId);
            try {
                // A closed stream's unconsumed bytes were already returned to the connection window by Netty.
                if (stream != null && connection().local().flowController().consumeBytes(stream, bytes)) {
                    ctx.flush();
                }
            } catch (Exception e) {
                onError(ctx, false, e);
            }
        }

        private void endCall(ChannelHandlerContext ctx, int streamId) {
            Http2Stream stream = connection().stream(streamId);
            Held held = stream == null ? null : stream.removeProperty(heldKey);
            long uploaded = System.nanoTime();
            long bytes = 0;
            if (held != null) {
                for (ByteBuf each; (each = held.frames().poll()) != null; ) {
                    bytes += each.readableBytes();
                    encoder().writeData(ctx, streamId, each, 0, false, ctx.newPromise());
                }
            }
            if (stream != null && Boolean.TRUE.equals(stream.getProperty(healthKey))) {
                encoder().writeData(ctx, streamId, Unpooled.wrappedBuffer(SERVING), 0, false, ctx.newPromise());
            } else {
                OK_CALLS.increment();
            }
            Http2Headers trailers = new DefaultHttp2Headers().add("grpc-status", "0");
            long echoed = bytes;
            encoder().writeHeaders(ctx, streamId, trailers, 0, true, ctx.newPromise()).addListener(f -> {
                if (held != null) {
                    System.out.printf("after-end call: %d bytes, upload %.3f s, echo %.3f s%n", echoed,
                            (uploaded - held.start()) / 1e9, (System.nanoTime() - uploaded) / 1e9);
                }
            });
        }

        private final class Listener extends Http2FrameAdapter {
            /** HEADERS with the PRIORITY flag (nghttp sends them) come here; the adapter drops them otherwise. */
            @Override
            public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
                    int streamDependency, short weight, boolean exclusive, int padding, boolean endOfStream) {
                onHeadersRead(ctx, streamId, headers, padding, endOfStream);
            }

            @Override
            public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                    boolean endOfStream) {
                Http2Stream stream = connection().stream(streamId);
                if (stream == null) {
                    return;
                }
                if (stream.getProperty(healthKey) != null) {
                    // Request trailers: the request ends here.
                    if (endOfStream) {
                        endCall(ctx, streamId);
                    }
                    return;
                }
                CharSequence path = headers.path();
                if (path != null && "/bench/stats".contentEquals(path)) {
                    encoder().writeHeaders(ctx, streamId,
                            new DefaultHttp2Headers().status("200").add("content-type", "text/plain"), 0, false,
                            ctx.newPromise());
                    ByteBuf body = Unpooled.copiedBuffer("ok=" + OK_CALLS.sum() + "\n", StandardCharsets.US_ASCII);
                    encoder().writeData(ctx, streamId, body, 0, true, ctx.newPromise());
                    return;
                }
                stream.setProperty(healthKey, path != null && HEALTH_CHECK.contentEquals(path));
                CharSequence mode = headers.get(ECHO_MODE);
                if (mode != null && AFTER_END.contentEquals(mode)) {
                    stream.setProperty(heldKey, new Held(System.nanoTime(), new ArrayDeque<>()));
                }
                encoder().writeHeaders(ctx, streamId,
                        new DefaultHttp2Headers().status("200").add("content-type", "application/grpc"), 0, false,
                        ctx.newPromise());
                if (endOfStream) {
                    endCall(ctx, streamId);
                }
            }

            @Override
            public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
                    boolean endOfStream) {
                int bytes = data.readableBytes() + padding;
                Http2Stream stream = connection().stream(streamId);
                boolean echo = stream != null && Boolean.FALSE.equals(stream.getProperty(healthKey));
                Held held = stream == null ? null : stream.getProperty(heldKey);
                if (held != null) {
                    if (data.isReadable()) {
                        // A copy, as a server that deframes the message makes one: a retained slice would keep the
                        // decoder's read buffers shared, and Netty then copies every read that ends inside a frame.
                        held.frames().add(data.copy());
                    }
                    if (endOfStream) {
                        endCall(ctx, streamId);
                    }
                    // Held bytes leave the peer's window at once: the whole request must come in before any echo.
                    return bytes;
                }
                if (echo && data.isReadable()) {
                    encoder().writeData(ctx, streamId, data.retain(), 0, false, ctx.newPromise())
                            .addListener(f -> consumed(ctx, streamId, bytes));
                } else {
                    consumed(ctx, streamId, bytes);
                }
                if (endOfStream && stream != null) {
                    endCall(ctx, streamId);
                }
                // Nothing is consumed yet: the peer's window reopens as the echo leaves (see consumed).
                return 0;
            }
        }
    }

    /**
     * HTTP/1.1 echo: the answer's head goes out when the request's does, with the request's {@code content-length}
     * (else chunked), then each piece of the body as it arrives (retained, not copied). For small bodies only: it
     * does not stop reading while its writes wait. Connections are kept alive as the request asks.
     */
    static final class HttpEcho extends ChannelInboundHandlerAdapter {
        /** Whether the body being read is echoed (false: a health check, whose body is dropped). */
        private boolean echo;
        private boolean keepAlive;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request) {
                keepAlive = HttpUtil.isKeepAlive(request);
                echo = !(request.method().equals(HttpMethod.GET) && request.uri().equals("/health"));
                HttpResponse response;
                if (!echo) {
                    FullHttpResponse ok = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK,
                            Unpooled.wrappedBuffer(new byte[] {'o', 'k'}));
                    HttpUtil.setContentLength(ok, 2);
                    response = ok;
                } else {
                    response = new DefaultHttpResponse(request.protocolVersion(), HttpResponseStatus.OK);
                    CharSequence type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
                    response.headers().set(HttpHeaderNames.CONTENT_TYPE,
                            type != null ? type : HttpHeaderValues.APPLICATION_OCTET_STREAM);
                    if (HttpUtil.isContentLengthSet(request)) {
                        HttpUtil.setContentLength(response, HttpUtil.getContentLength(request));
                    } else {
                        HttpUtil.setTransferEncodingChunked(response, true);
                    }
                }
                HttpUtil.setKeepAlive(response, keepAlive);
                ctx.write(response);
            }
            if (msg instanceof HttpContent content) {
                if (echo && content.content().isReadable()) {
                    ctx.write(new DefaultHttpContent(content.content().retain()));
                }
                content.release();
                if (echo && content instanceof LastHttpContent) {
                    OK_CALLS.increment();
                    var last = ctx.write(LastHttpContent.EMPTY_LAST_CONTENT);
                    if (!keepAlive) {
                        last.addListener(ChannelFutureListener.CLOSE);
                    }
                }
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}

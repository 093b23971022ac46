package dev.functiongateway.support;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;

/**
 * A gRPC "worker" on 127.0.0.1 whose answers the request's headers script, for answers real servers give but well
 * behaved test servers do not. Each call is answered once its request has ended, after {@code x-delay-ms}
 * milliseconds: with {@code x-http-status}, by that HTTP status alone, as a proxy in front of a worker may answer
 * (no gRPC status); else with one empty message and trailers carrying {@code grpc-status: 0} and an
 * {@code x-large} entry of {@code x-trailer-size} bytes (as a grpcio worker may send them, whatever limit its peer
 * advertised). Close it to stop it.
 */
public final class ScriptedWorker extends Http2TestServer {

    public ScriptedWorker() throws InterruptedException {
        super(() -> Http2FrameCodecBuilder.forServer().encoderIgnoreMaxHeaderListSize(true).build(), Answers::new);
    }

    private static final class Answers extends SimpleChannelInboundHandler<Http2StreamFrame> {

        /** Request headers by stream, until the request ends. */
        private final Map<Http2FrameStream, Http2Headers> requests = new HashMap<>();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
            if (frame instanceof Http2HeadersFrame headers && !requests.containsKey(frame.stream())) {
                requests.put(frame.stream(), headers.headers());
            }
            boolean ended = frame instanceof Http2HeadersFrame h ? h.isEndStream()
                    : frame instanceof Http2DataFrame d && d.isEndStream();
            Http2Headers request = ended ? requests.remove(frame.stream()) : null;
            if (request == null) {
                return;
            }
            CharSequence delay = request.get("x-delay-ms");
            ctx.executor().schedule(() -> answer(ctx, frame.stream(), request),
                    delay == null ? 0 : Long.parseLong(delay.toString()), TimeUnit.MILLISECONDS);
        }

        private static void answer(ChannelHandlerContext ctx, Http2FrameStream stream, Http2Headers request) {
            CharSequence httpStatus = request.get("x-http-status");
            if (httpStatus != null) {
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status(httpStatus), true)
                        .stream(stream));
                return;
            }
            ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                    .set("content-type", "application/grpc")).stream(stream));
            ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[5])).stream(stream));
            Http2Headers trailers = new DefaultHttp2Headers().set("grpc-status", "0");
            CharSequence size = request.get("x-trailer-size");
            if (size != null) {
                trailers.set("x-large", "a".repeat(Integer.parseInt(size.toString())));
            }
            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(trailers, true).stream(stream));
        }
    }
}

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
 * A gRPC "worker" on 127.0.0.1 that, as a Python (grpcio) worker may, sends trailers of any size, whatever limit its
 * peer advertised: each call is answered, once the request has ended, with one empty message and trailers carrying
 * {@code grpc-status: 0} and an {@code x-large} entry of as many bytes as the request's {@code x-trailer-size}
 * header says (none without it), after {@code x-delay-ms} milliseconds. Close it to stop it.
 */
public final class LargeTrailersWorker extends Http2TestServer {

    public LargeTrailersWorker() throws InterruptedException {
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

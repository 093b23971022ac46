package dev.functiongateway.support;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;

/**
 * A "worker" on 127.0.0.1 that speaks HTTP/2 but breaks it on every stream: it answers each request's HEADERS with
 * response headers that say {@code content-length: 1}, then 10 bytes of DATA, and never ends the stream. A
 * receiver that checks the length (Netty's codec does) resets the stream with PROTOCOL_ERROR. Close it to stop it.
 */
public final class ContentLengthLiar extends Http2TestServer {

    public ContentLengthLiar() throws InterruptedException {
        super(() -> Http2FrameCodecBuilder.forServer().build(), Answers::new);
    }

    private static final class Answers extends SimpleChannelInboundHandler<Http2StreamFrame> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
            if (frame instanceof Http2HeadersFrame headers && headers.stream() != null) {
                ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                        .set("content-type", "application/grpc").set("content-length", "1"))
                        .stream(headers.stream()));
                ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[10]))
                        .stream(headers.stream()));
            }
        }
    }
}

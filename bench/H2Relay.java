import java.net.InetSocketAddress;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.collection.IntObjectHashMap;

/**
 * The floor under an HTTP/2 proxy of our own on Netty, one step above {@link TcpRelay}: it parses every frame
 * (Netty's public {@code DefaultHttp2FrameReader}, HPACK decoding included), maps each client stream to a stream of
 * its own on its connection to the target, encodes the headers again (HPACK) and writes frames without Netty's
 * HTTP/2 connection handler: no stream objects, promises, flow-control queues or listeners; a DATA frame's payload
 * is passed on, not copied. Deliberately incomplete: no flow control beyond opening both windows wide (fine for
 * small calls), no authentication, no access log, no limits, no error handling. A measuring stick, not a proxy: the
 * benchmark's {@code FLOOR=1} puts it beside nginx and the gateway.
 *
 * <p>Usage: {@code java H2Relay LISTEN_PORT TARGET_PORT EVENT_LOOPS} (both ports on 127.0.0.1). Runs until killed.
 */
public final class H2Relay {


    /** Both windows, stream and connection, as wide as HTTP/2 allows: no WINDOW_UPDATE is ever needed. */
    private static final int WIDE = Integer.MAX_VALUE;
    /** "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", skipped unread. */
    private static final int PREFACE_LENGTH = 24;

    public static void main(String[] args) throws Exception {
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1]));
        TcpRelay.serve(Integer.parseInt(args[0]), Integer.parseInt(args[2]), new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel client) {
                Side clientSide = new Side(true);
                Side upstreamSide = new Side(false);
                clientSide.other = upstreamSide;
                upstreamSide.other = clientSide;
                client.pipeline().addLast(clientSide);
                TcpRelay.connect(client, target, upstreamSide, upstream -> { });
            }
        });
    }

    /** One side of a connection pair: reads its peer's frames and writes them, re-made, to the other side. */
    private static final class Side extends ByteToMessageDecoder {

        private final boolean server;
        private final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader(new DefaultHttp2HeadersDecoder(true));
        private final DefaultHttp2HeadersEncoder hpack = new DefaultHttp2HeadersEncoder();
        /** This side's stream id → the other side's. */
        private final IntObjectHashMap<Integer> streams = new IntObjectHashMap<>();
        private final Frames frames = new Frames();
        private int nextStreamId = 1;
        private boolean prefaceRead;
        Side other;
        ChannelHandlerContext ctx;

        Side(boolean server) {
            this.server = server;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            ByteBuf out = ctx.alloc().buffer(64);
            if (!server) {
                out.writeBytes(Http2CodecUtil.connectionPrefaceBuf());
            }
            Http2CodecUtil.writeFrameHeader(out, 12, Http2FrameTypes.SETTINGS, new Http2Flags(), 0);
            out.writeShort(Http2CodecUtil.SETTINGS_INITIAL_WINDOW_SIZE).writeInt(WIDE);
            out.writeShort(Http2CodecUtil.SETTINGS_ENABLE_PUSH).writeInt(0);
            windowUpdate(out, 0, WIDE - 65_535);
            ctx.writeAndFlush(out, ctx.voidPromise());
            super.channelActive(ctx);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Http2Exception {
            if (server && !prefaceRead) {
                if (in.readableBytes() < PREFACE_LENGTH) {
                    return;
                }
                in.skipBytes(PREFACE_LENGTH);
                prefaceRead = true;
            }
            reader.readFrame(ctx, in, frames);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
            super.channelReadComplete(ctx);
            other.ctx.flush();
            ctx.flush();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            other.ctx.close();
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        void writeHeaders(int streamId, Http2Headers headers, boolean end) throws Http2Exception {
            ByteBuf out = ctx.alloc().buffer(256);
            out.writerIndex(Http2CodecUtil.FRAME_HEADER_LENGTH);
            hpack.encodeHeaders(streamId, headers, out);
            int length = out.readableBytes() - Http2CodecUtil.FRAME_HEADER_LENGTH;
            int frameEnd = out.writerIndex();
            out.writerIndex(0);
            Http2CodecUtil.writeFrameHeader(out, length, Http2FrameTypes.HEADERS,
                    new Http2Flags().endOfHeaders(true).endOfStream(end), streamId);
            out.writerIndex(frameEnd);
            ctx.write(out, ctx.voidPromise());
        }

        void writeData(int streamId, ByteBuf data, boolean end) {
            ByteBuf header = ctx.alloc().buffer(Http2CodecUtil.FRAME_HEADER_LENGTH);
            Http2CodecUtil.writeFrameHeader(header, data.readableBytes(), Http2FrameTypes.DATA,
                    new Http2Flags().endOfStream(end), streamId);
            ctx.write(header, ctx.voidPromise());
            ctx.write(data, ctx.voidPromise());
        }

        private static void windowUpdate(ByteBuf out, int streamId, int increment) {
            Http2CodecUtil.writeFrameHeader(out, 4, Http2FrameTypes.WINDOW_UPDATE, new Http2Flags(), streamId);
            out.writeInt(increment);
        }

        /** The other side's stream for this side's stream {@code id}, made on the client's first HEADERS. */
        private int mapped(int id, boolean end) {
            Integer to = end ? streams.remove(id) : streams.get(id);
            if (to == null && server) {
                to = other.nextStreamId;
                other.nextStreamId += 2;
                other.streams.put(to.intValue(), Integer.valueOf(id));
                if (!end) {
                    streams.put(id, to);
                }
            }
            return to == null ? -1 : to;
        }

        private final class Frames extends Http2FrameAdapter {

            @Override
            public void onHeadersRead(ChannelHandlerContext c, int streamId, Http2Headers headers, int padding,
                    boolean endOfStream) throws Http2Exception {
                int to = mapped(streamId, endOfStream);
                if (to > 0) {
                    other.writeHeaders(to, headers, endOfStream);
                }
            }

            @Override
            public void onHeadersRead(ChannelHandlerContext c, int streamId, Http2Headers headers,
                    int streamDependency, short weight, boolean exclusive, int padding, boolean endOfStream)
                    throws Http2Exception {
                onHeadersRead(c, streamId, headers, padding, endOfStream);
            }

            @Override
            public int onDataRead(ChannelHandlerContext c, int streamId, ByteBuf data, int padding,
                    boolean endOfStream) {
                int to = mapped(streamId, endOfStream);
                if (to > 0) {
                    other.writeData(to, data.retain(), endOfStream);
                }
                return data.readableBytes() + padding;
            }

            @Override
            public void onSettingsRead(ChannelHandlerContext c, Http2Settings settings) {
                ByteBuf out = c.alloc().buffer(Http2CodecUtil.FRAME_HEADER_LENGTH);
                Http2CodecUtil.writeFrameHeader(out, 0, Http2FrameTypes.SETTINGS, new Http2Flags().ack(true), 0);
                c.write(out, c.voidPromise());
            }

            @Override
            public void onPingRead(ChannelHandlerContext c, long data) {
                ByteBuf out = c.alloc().buffer(Http2CodecUtil.FRAME_HEADER_LENGTH + 8);
                Http2CodecUtil.writeFrameHeader(out, 8, Http2FrameTypes.PING, new Http2Flags().ack(true), 0);
                out.writeLong(data);
                c.write(out, c.voidPromise());
            }

            @Override
            public void onRstStreamRead(ChannelHandlerContext c, int streamId, long errorCode) {
                streams.remove(streamId);
            }
        }
    }

    private H2Relay() {
    }
}

import java.net.InetSocketAddress;
import java.util.function.Consumer;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;

/**
 * The floor under any proxy built on Netty's epoll transport: a TCP relay that passes bytes between each client
 * connection and a connection of its own to the target, on the same event loop, with no HTTP/2 at all (no frame
 * parsing, no HPACK, no flow control, no authentication, no access log). It reads one side only while the other is
 * writable, and flushes once per read turn, as the gateway does; its reads, write-buffer marks and buffer allocator
 * are the gateway's too. Not a proxy anyone should run: the benchmark's {@code FLOOR=1} puts it beside nginx and the
 * gateway to show how much of a small call's CPU the transport and the JVM cost before the gateway does anything of
 * its own.
 *
 * <p>Usage: {@code java TcpRelay LISTEN_PORT TARGET_PORT EVENT_LOOPS} (both ports on 127.0.0.1). Runs until killed.
 */
public final class TcpRelay {

    /** The gateway's read sizes and write-buffer marks (its {@code ProxyEventLoops}): the floor is its transport. */
    static final AdaptiveRecvByteBufAllocator READS = new AdaptiveRecvByteBufAllocator(2048, 16384, 262144);
    static final WriteBufferWaterMark WRITES = new WriteBufferWaterMark(512 * 1024, 1024 * 1024);

    public static void main(String[] args) throws Exception {
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1]));
        serve(Integer.parseInt(args[0]), Integer.parseInt(args[2]), new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel client) {
                client.pipeline().addLast(new Client(target));
            }
        });
    }

    /**
     * Listens on 127.0.0.1:{@code port} with {@code threads} event loops until killed. Accepted connections start
     * with reads off: {@link #connect} turns them on.
     */
    @SuppressWarnings("deprecation") // RCVBUF_ALLOCATOR: deprecated in Netty 4.2, and what the gateway sets
    static void serve(int port, int threads, ChannelInitializer<Channel> perClient) throws InterruptedException {
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
        new ServerBootstrap().group(loops).channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, READS)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WRITES)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(perClient)
                .bind("127.0.0.1", port).sync().channel().closeFuture().sync();
    }

    /**
     * Connects to {@code target} on {@code client}'s event loop, with {@code handler} on the new connection; then
     * {@code connected} runs and the client's reads go on, or the client is closed if the connection failed.
     */
    @SuppressWarnings("deprecation") // as in serve
    static void connect(Channel client, InetSocketAddress target, ChannelHandler handler, Consumer<Channel> connected) {
        new Bootstrap().group(client.eventLoop()).channel(EpollSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, READS)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WRITES)
                .handler(handler)
                .connect(target).addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        client.close();
                        return;
                    }
                    connected.accept(f.channel());
                    client.config().setAutoRead(true);
                });
    }

    /** A client connection: connects to the target on its own event loop, then relays both ways. */
    private static final class Client extends ChannelInboundHandlerAdapter {

        private final InetSocketAddress target;

        Client(InetSocketAddress target) {
            this.target = target;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel client = ctx.channel();
            connect(client, target, new Relay(client), upstream -> {
                client.pipeline().remove(this);
                client.pipeline().addLast(new Relay(upstream));
            });
        }
    }

    /** Writes what its channel reads to {@code peer}; reads only while the peer can take more. */
    private static final class Relay extends ChannelInboundHandlerAdapter {

        final Channel peer;

        Relay(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            peer.write(msg, peer.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            peer.flush();
            if (!peer.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            peer.config().setAutoRead(ctx.channel().isWritable());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            peer.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}

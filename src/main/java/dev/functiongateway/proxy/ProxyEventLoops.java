package dev.functiongateway.proxy;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The threads of the proxy: one that accepts connections, and {@code gateway.proxy.event-loop-threads} that run
 * client and worker connections alike. Native epoll where the platform has it (fewer syscalls and copies than
 * NIO), NIO elsewhere. Stopped after the listener, so that calls can drain first. Threading: made and stopped by
 * Spring; the groups themselves are Netty's, safe from any thread.
 */
@Component
class ProxyEventLoops implements DisposableBean {

    /**
     * Socket reads from 2 KiB up to 256 KiB, sized by what the last reads filled: large messages move in few
     * syscalls, small calls take small buffers.
     */
    static final AdaptiveRecvByteBufAllocator READS = new AdaptiveRecvByteBufAllocator(2048, 16384, 262144);

    /**
     * How much the codec's flow controller hands a socket in one pass: it stops at the high mark and goes on when
     * the socket drops below the low one. Netty's 64 KiB made a socket write and a writability event per 64 KiB
     * of a large message. Not a memory bound: what waits there is the same retained bytes that the flow-control
     * windows already bound.
     */
    static final WriteBufferWaterMark WRITES = new WriteBufferWaterMark(512 * 1024, 1024 * 1024);

    private final boolean epoll = Epoll.isAvailable();
    private final EventLoopGroup acceptor;
    private final EventLoopGroup workers;
    private final AddressResolverGroup<InetSocketAddress> resolver;

    ProxyEventLoops(ProxyProperties properties) {
        int threads = properties.eventLoopThreads() > 0 ? properties.eventLoopThreads()
                : Runtime.getRuntime().availableProcessors();
        acceptor = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("grpc-accept", true), ioHandler());
        workers = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("grpc-proxy", true), ioHandler());
        resolver = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                .datagramChannelType(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .socketChannelType(socketChannel()));
    }

    private IoHandlerFactory ioHandler() {
        return epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    EventLoopGroup acceptor() {
        return acceptor;
    }

    EventLoopGroup workers() {
        return workers;
    }

    Class<? extends ServerChannel> serverChannel() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    Class<? extends SocketChannel> socketChannel() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** Worker host names are resolved without blocking an event loop (the JDK's resolver blocks). */
    AddressResolverGroup<InetSocketAddress> resolver() {
        return resolver;
    }

    @Override
    public void destroy() throws InterruptedException {
        resolver.close();
        acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
}

package dev.functiongateway.proxy;

import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.functiongateway.registry.FunctionInstance;
import dev.functiongateway.registry.RegistryChangedEvent;
import dev.functiongateway.registry.RegistrySnapshot.VersionEntry;
import dev.functiongateway.registry.WorkerAddress;
import dev.functiongateway.routing.Worker;
import dev.functiongateway.routing.WorkerDirectory;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.EventExecutor;

/**
 * The gateway's HTTP/2 connections to workers: one per worker per event loop, made on first use and again after
 * a GOAWAY or a failure (Envoy's per-worker connection pools). A call uses the connection on its client
 * connection's own event loop, so the two halves of a call never cross threads.
 *
 * <p>Threading: each event loop's map is touched only by that event loop; {@link #loops} is fixed at start.
 */
@Component
class Upstreams {

    /** What makes two workers one connection target: the address, and whether it is reached over TLS. */
    record Key(WorkerAddress address, boolean tls) {

        static Key of(FunctionInstance instance) {
            return new Key(instance.address(), instance.tls());
        }
    }

    private final ProxyEventLoops eventLoops;
    private final ProxyProperties properties;
    private final SslContext tls;
    /** Per event loop, its connections by target. Outer map fixed at construction; inner maps loop-confined. */
    private final Map<EventExecutor, Map<Key, UpstreamConnection>> loops = new IdentityHashMap<>();

    Upstreams(ProxyEventLoops eventLoops, ProxyProperties properties, WorkerDirectory directory) {
        this.eventLoops = eventLoops;
        this.properties = properties;
        this.tls = directory.upstreamTls();
        for (EventExecutor loop : eventLoops.workers()) {
            loops.put(loop, new HashMap<>());
        }
    }

    /** The connection to this worker on this event loop, made now if there is none that takes calls. */
    UpstreamConnection connection(EventLoop loop, Worker worker) {
        return connection(loop, Key.of(worker.instance()));
    }

    UpstreamConnection connection(EventLoop loop, Key key) {
        Map<Key, UpstreamConnection> own = loops.get(loop);
        UpstreamConnection connection = own.get(key);
        if (connection == null || !connection.acceptsCalls()) {
            connection = connect(loop, key);
            own.put(key, connection);
        }
        return connection;
    }

    /** The connection takes no new calls: later calls get a new one. On its event loop. */
    void forget(UpstreamConnection connection) {
        Map<Key, UpstreamConnection> own = loops.get(connection.loop());
        own.remove(connection.key(), connection);
    }

    /** Workers that left the registry: their connections finish their calls and close. */
    @EventListener
    void onRegistryChanged(RegistryChangedEvent event) {
        Set<Key> live = new HashSet<>();
        event.current().functions().values().forEach(f -> {
            for (VersionEntry version : f.versions().values()) {
                version.instances().forEach(i -> live.add(Key.of(i)));
            }
        });
        loops.forEach((loop, own) -> loop.execute(() -> own.values().stream()
                .filter(c -> !live.contains(c.key())).toList().forEach(UpstreamConnection::stopTakingCalls)));
    }

    private UpstreamConnection connect(EventLoop loop, Key key) {
        UpstreamConnection handler = UpstreamConnection.create(this, loop, key, properties);
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(eventLoops.socketChannel())
                .resolver(eventLoops.resolver())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, ProxyEventLoops.READS)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, ProxyEventLoops.WRITES)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.upstreamConnectTimeout().toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        ChannelPipeline pipeline = channel.pipeline();
                        if (key.tls()) {
                            pipeline.addLast(tls.newHandler(channel.alloc(), key.address().host(),
                                    key.address().port()));
                        }
                        pipeline.addLast(new IdleStateHandler(properties.upstreamKeepaliveTime().toNanos(), 0, 0,
                                TimeUnit.NANOSECONDS));
                        pipeline.addLast(handler);
                    }
                });
        ChannelFuture connecting = bootstrap.connect(key.address().host(), key.address().port());
        connecting.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                handler.connectFailed(f.cause());
            }
        });
        return handler;
    }
}

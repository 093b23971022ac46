package dev.functiongateway.proxy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.MapPropertySource;
import org.springframework.stereotype.Component;

import dev.functiongateway.registry.RegistryProperties;
import io.grpc.Status;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The gRPC proxy listener ({@code gateway.proxy.port}, plaintext h2c or TLS with ALPN h2), and its shutdown.
 * Every client connection gets a {@link ClientConnection}; what is not HTTP/2 is closed by the codec.
 *
 * <p>Shutdown (SIGTERM) in three steps. At once: not ready. Then (this lifecycle stops first): no new
 * connections, and GOAWAY on every open one, so clients send new calls elsewhere while calls in flight go on.
 * After {@code gateway.proxy.drain-time}, the calls still running end with UNAVAILABLE and their workers see the
 * cancel. Threading: lifecycle methods on Spring's thread; each connection's work on its own event loop.
 */
@Component
public class ProxyListener implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ProxyListener.class);
    private static final Status SHUTTING_DOWN = Status.UNAVAILABLE.withDescription(
            "the gateway is shutting down; call again on a new connection");

    private final ProxyServices services;
    private final ProxyEventLoops eventLoops;
    private final ConfigurableApplicationContext context;
    private final SslContext tls;
    private final Set<ClientConnection> connections = ConcurrentHashMap.newKeySet();
    private final Duration keyRecheckInterval;
    private volatile Channel server;
    private ScheduledFuture<?> keyRecheck;
    private volatile boolean running;

    ProxyListener(ProxyServices services, ProxyEventLoops eventLoops, SslBundles sslBundles,
            ConfigurableApplicationContext context, RegistryProperties registry) throws SSLException {
        this.services = services;
        this.keyRecheckInterval = registry.refreshInterval();
        this.eventLoops = eventLoops;
        this.context = context;
        this.tls = listenerTls(services.properties().ssl(), sslBundles);
    }

    private static SslContext listenerTls(ProxyProperties.Ssl ssl, SslBundles bundles) throws SSLException {
        if (!ssl.enabled()) {
            return null;
        }
        SslBundle bundle = bundles.getBundle(ssl.bundle());
        SslContextBuilder builder = SslContextBuilder.forServer(bundle.getManagers().getKeyManagerFactory())
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2));
        if (ssl.clientAuth() != ProxyProperties.ClientAuth.NONE) {
            builder.trustManager(bundle.getManagers().getTrustManagerFactory())
                    .clientAuth(ssl.clientAuth() == ProxyProperties.ClientAuth.REQUIRE ? ClientAuth.REQUIRE
                            : ClientAuth.OPTIONAL);
        }
        return builder.build();
    }

    @Override
    public void start() {
        ServerBootstrap bootstrap = new ServerBootstrap().group(eventLoops.acceptor(), eventLoops.workers())
                .channel(eventLoops.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, ProxyEventLoops.READS)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, ProxyEventLoops.WRITES)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        ChannelPipeline pipeline = channel.pipeline();
                        if (tls != null) {
                            pipeline.addLast(tls.newHandler(channel.alloc()));
                        }
                        pipeline.addLast(ClientConnection.create(services, ProxyListener.this));
                    }
                });
        ProxyProperties properties = services.properties();
        server = (properties.address() == null || properties.address().isBlank()
                ? bootstrap.bind(properties.port()) : bootstrap.bind(properties.address(), properties.port()))
                .syncUninterruptibly().channel();
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        context.getEnvironment().getPropertySources().addFirst(
                new MapPropertySource("gateway.proxy.port", Map.of("local.gateway.proxy.port", port)));
        // Calls outlive keys: a revoked or expired key ends its calls within the refresh interval (keys reload
        // that often too).
        long every = keyRecheckInterval.toNanos();
        keyRecheck = eventLoops.acceptor().scheduleWithFixedDelay(
                () -> connections.forEach(c -> c.context().executor().execute(c::recheckKeys)), every, every,
                TimeUnit.NANOSECONDS);
        running = true;
        log.info("gRPC proxy listening on port {} ({})", port, tls == null ? "plaintext" : "TLS");
    }

    /** The port the listener is bound to. */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    void opened(ClientConnection connection) {
        connections.add(connection);
        services.metrics().connections.incrementAndGet();
    }

    void closed(ClientConnection connection) {
        if (connections.remove(connection)) {
            services.metrics().connections.decrementAndGet();
        }
    }

    /** Shutdown's first step, before any lifecycle stops: readiness turns to refusing traffic. */
    @EventListener
    void onClose(ContextClosedEvent event) {
        ApplicationContext closing = event.getApplicationContext();
        if (closing == context) {
            AvailabilityChangeEvent.publish(closing, ReadinessState.REFUSING_TRAFFIC);
        }
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    @Override
    public void stop(Runnable callback) {
        running = false;
        keyRecheck.cancel(false);
        server.close().syncUninterruptibly();
        long drainNanos = services.properties().drainTime().toNanos();
        log.info("Shutting down: {} client connections, {} calls in flight that may run for up to {}",
                connections.size(), services.metrics().calls.get(), services.properties().drainTime());
        connections.forEach(c -> c.context().executor().execute(c::drain));
        long start = System.nanoTime();
        new Runnable() {
            private boolean endedCalls;

            /** Checks every 50 ms: done once every connection closed, or a second after the calls were ended. */
            @Override
            public void run() {
                long waited = System.nanoTime() - start;
                if (connections.isEmpty() || waited > drainNanos + TimeUnit.SECONDS.toNanos(1)) {
                    callback.run();
                    return;
                }
                if (!endedCalls && waited >= drainNanos) {
                    endedCalls = true;
                    log.info("Drain time over: ending {} calls with UNAVAILABLE", services.metrics().calls.get());
                    connections.forEach(c -> c.context().executor().execute(() -> c.endAll(SHUTTING_DOWN)));
                }
                eventLoops.acceptor().schedule(this, 50, TimeUnit.MILLISECONDS);
            }
        }.run();
    }

    /** Stops before other lifecycles (the web server, the database), so calls drain while those still run. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}

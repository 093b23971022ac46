package dev.functiongateway.proxy;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.server.ServerBuilderCustomizer;

import io.grpc.netty.NettyServerBuilder;

/**
 * Turns the starter's gRPC server into the proxy listener: every unknown method goes to the pass-through
 * handler, and each connection carries its sessions. Runs after the property-based customizer (port, TLS,
 * keepalive, message size come from {@code spring.grpc.server.*}).
 */
@Configuration(proxyBeanMethods = false)
class ProxyServerConfig {

    @Bean
    ServerBuilderCustomizer<NettyServerBuilder> proxyListener(ProxyHandlerRegistry handlers,
            ConnectionTracker connections) {
        return builder -> builder
                .fallbackHandlerRegistry(handlers)
                .addTransportFilter(connections)
                // Admission and pumping never block, so they run on the event loop: no thread hop per call.
                .directExecutor();
    }
}

package dev.functiongateway.observability;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.netty.buffer.PooledByteBufAllocator;

/** Memory of the pooled Netty allocator that gRPC's transports use: where proxied messages live. */
@Configuration(proxyBeanMethods = false)
class NettyBufferMetrics {

    @Bean
    NettyAllocatorMetrics grpcNettyAllocatorMetrics() {
        return new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT);
    }
}

package dev.functiongateway.observability;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * Memory of Netty's default allocator, which the proxy's connections use (Netty 4.2's adaptive one, or the one
 * {@code -Dio.netty.allocator.type} names): where proxied frames wait. It reported the pooled allocator, which only
 * the message-level core used.
 */
@Configuration(proxyBeanMethods = false)
class NettyBufferMetrics {

    @Bean
    NettyAllocatorMetrics proxyNettyAllocatorMetrics() {
        return new NettyAllocatorMetrics(ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider
                ? provider : PooledByteBufAllocator.DEFAULT);
    }
}

package dev.functiongateway.admin;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.web.reactive.config.BlockingExecutionConfigurer;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.result.method.annotation.ArgumentResolverConfigurer;

/**
 * Registers the {@link Caller} resolver, and runs controller methods that return plain values (the admin API,
 * which blocks on JDBC) on the application task executor. Boot does the latter only with virtual threads on,
 * and without it they would block the Netty event loop.
 */
@Configuration(proxyBeanMethods = false)
class AdminWebConfig implements WebFluxConfigurer {

    private final CallerArgumentResolver callerResolver;
    private final AsyncTaskExecutor blockingExecutor;

    AdminWebConfig(CallerArgumentResolver callerResolver,
            @Qualifier("applicationTaskExecutor") AsyncTaskExecutor blockingExecutor) {
        this.callerResolver = callerResolver;
        this.blockingExecutor = blockingExecutor;
    }

    @Override
    public void configureArgumentResolvers(ArgumentResolverConfigurer configurer) {
        configurer.addCustomResolver(callerResolver);
    }

    @Override
    public void configureBlockingExecution(BlockingExecutionConfigurer configurer) {
        configurer.setExecutor(blockingExecutor);
    }
}

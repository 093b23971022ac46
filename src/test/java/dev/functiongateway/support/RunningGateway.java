package dev.functiongateway.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;

import dev.functiongateway.FunctionGatewayApplication;

/**
 * A whole gateway started in this JVM on random ports (HTTP, gRPC, management), for tests that stop and start it or run two side by
 * side. Close it to stop it.
 */
public final class RunningGateway implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private RunningGateway(ConfigurableApplicationContext context) {
        this.context = context;
    }

    /**
     * Starts a gateway with these properties on top of the defaults, on random HTTP and gRPC ports unless the
     * properties name ports ({@code server.port}, {@code gateway.proxy.port}).
     */
    public static RunningGateway start(Map<String, String> properties) {
        Map<String, String> all = new java.util.HashMap<>(Map.of("server.port", "0", "gateway.proxy.port", "0",
                "management.server.port", "0"));
        all.putAll(properties);
        List<String> args = new ArrayList<>();
        all.forEach((k, v) -> args.add("--" + k + "=" + v));
        return new RunningGateway(application().run(args.toArray(String[]::new)));
    }

    /** The gateway's application as tests start it in this JVM: with Reactor Netty resources of its own. */
    public static SpringApplicationBuilder application() {
        return new SpringApplicationBuilder(FunctionGatewayApplication.class)
                .initializers(RunningGateway::ownNettyResources);
    }

    /**
     * Gives the gateway's Reactor Netty servers event loops of their own. By default they use Reactor Netty's
     * global ones, which the first context to close disposes: closing a gateway started here (or one that failed to
     * start) then stopped the management server of every other context in this JVM, such as the cached one the
     * proxy tests share.
     */
    private static void ownNettyResources(ConfigurableApplicationContext context) {
        context.getBeanFactory().addBeanPostProcessor(new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String name) {
                if (bean instanceof ReactorResourceFactory resources) {
                    resources.setUseGlobalResources(false);
                }
                return bean;
            }
        });
    }

    /** Properties for a fresh database in the embedded PostgreSQL. */
    public static Map<String, String> postgres(String jdbcUrl) {
        return Map.of("spring.datasource.url", jdbcUrl, "spring.datasource.username", "postgres",
                "spring.datasource.password", "", "spring.datasource.hikari.connection-timeout", "2000",
                "spring.datasource.hikari.validation-timeout", "1000");
    }

    public int httpPort() {
        return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
    }

    public int grpcPort() {
        return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.gateway.proxy.port"));
    }

    public int managementPort() {
        return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.management.port"));
    }

    /** Actuator, on the management port; it needs no key. */
    public AdminClient management() {
        return new AdminClient(managementPort(), null);
    }

    public AdminClient admin(String key) {
        return new AdminClient(httpPort(), key);
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}

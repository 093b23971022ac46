package dev.functiongateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Function Gateway: one authenticated address for gRPC and HTTP calls to deployed functions. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class FunctionGatewayApplication {

    public static void main(String[] args) {
        SpringApplication.run(FunctionGatewayApplication.class, args);
    }
}

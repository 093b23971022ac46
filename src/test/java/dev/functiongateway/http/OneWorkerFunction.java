package dev.functiongateway.http;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.functiongateway.support.AdminClient;
import dev.functiongateway.support.Deployments;

/**
 * Set-up shared by HTTP-route tests with one worker: before each test a fresh {@link FunctionWorker}, an HTTP
 * function deployed on it, and a key with {@code invoke_function}; after it, the function undeployed.
 */
abstract class OneWorkerFunction {

    @LocalServerPort
    int port;

    /** Actuator's own listener (management port). */
    @Value("${local.management.port}")
    int managementPort;

    AdminClient admin;
    FunctionWorker worker;
    String functionId;
    String deployment;
    String key;

    /** The bootstrap admin key the test's gateway was started with. */
    abstract String adminKey();

    /** The deployment's {@code maxRequestConcurrency} (0: unlimited). */
    int maxRequestConcurrency() {
        return 0;
    }

    @BeforeEach
    void deploy() {
        admin = new AdminClient(port, adminKey());
        worker = new FunctionWorker("w1");
        Deployments.Deployed deployed = Deployments.deploy(admin, Deployments.httpFunction(getClass().getSimpleName()),
                maxRequestConcurrency(), worker.address());
        functionId = deployed.functionId();
        deployment = deployed.path();
        key = admin.post("/v1/keys", "{\"name\":\"invoker\",\"scopes\":[\"invoke_function\"]}").at("/value");
    }

    @AfterEach
    void undeploy() {
        admin.delete(deployment);
        worker.close();
    }
}

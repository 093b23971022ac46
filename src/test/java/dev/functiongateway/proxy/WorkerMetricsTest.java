package dev.functiongateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.functiongateway.support.Deployments.Deployed;
import dev.functiongateway.support.TestWorker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** Per-worker series follow the workers, also when a version is deployed again to the same address. */
class WorkerMetricsTest extends ProxyTestSupport {

    @Autowired
    MeterRegistry meters;

    @Test
    void aRedeployToTheSameAddressKeepsTheWorkersSeries() {
        TestWorker worker = worker("w");
        Deployed d = deploy(0, worker);
        await().atMost(Duration.ofSeconds(5)).until(() -> healthy(d, worker) == 1.0);

        // The same endpoint again: a new instance at the old address replaces the old one.
        assertThat(admin.post(d.path(), "{\"endpoints\":[\"" + worker.address() + "\"]}").status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> admin.get(d.path()).json()
                .at("/deployment/instances/0/health/healthy").asBoolean());
        assertThat(healthy(d, worker)).as("the worker's series after the redeploy").isEqualTo(1.0);
        assertThat(meters.find("gateway.worker.sessions").tag("worker", worker.address()).gauge()).isNotNull();
    }

    /** The worker's healthy gauge, or -1 if the series is gone. */
    private double healthy(Deployed d, TestWorker worker) {
        Gauge gauge = meters.find("gateway.worker.healthy").tag("function_id", d.functionId())
                .tag("function_version_id", d.versionId()).tag("worker", worker.address()).gauge();
        return gauge == null ? -1 : gauge.value();
    }
}

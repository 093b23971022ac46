package dev.functiongateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.functiongateway.support.TestWorker;

/** Per-worker series follow the workers, also when a version is deployed again to the same address. */
class WorkerMetricsTest extends ProxyTestSupport {

    @Test
    void aRedeployToTheSameAddressKeepsTheWorkersSeries() {
        TestWorker worker = worker("w");
        Deployed d = deploy(0, worker);
        Pattern healthy = Pattern.compile("gateway_worker_healthy\\{function_id=\"" + d.functionId()
                + "\",function_version_id=\"" + d.versionId() + "\",worker=\"" + Pattern.quote(worker.address())
                + "\"} 1");
        await().atMost(Duration.ofSeconds(5)).until(() -> healthy.matcher(scrape()).find());

        // The same endpoint again: a new instance at the old address replaces the old one.
        assertThat(admin.post(deploymentPath(d), "{\"endpoints\":[\"" + worker.address() + "\"]}").status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> admin.get(deploymentPath(d)).json()
                .at("/deployment/instances/0/health/healthy").asBoolean());
        assertThat(scrape()).containsPattern(healthy).contains("gateway_worker_sessions{function_id=\""
                + d.functionId() + "\",function_version_id=\"" + d.versionId() + "\",worker=\"" + worker.address());
    }

    private String scrape() {
        return management.get("/actuator/prometheus").text();
    }
}

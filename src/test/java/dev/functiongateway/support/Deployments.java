package dev.functiongateway.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Functions registered and deployed through the admin API, as an operator would, and awaited until ACTIVE. */
public final class Deployments {

    /** A registered version: its function, its id, and its deployment's admin path (DELETE it to undeploy). */
    public record Deployed(String functionId, String versionId, String path) {

        /** The version's admin path (its status is at {@code /function/status}). */
        public String versionPath() {
            return "/v2/nvcf/functions/" + functionId + "/versions/" + versionId;
        }
    }

    private Deployments() {
    }

    /** An HTTP function calling {@code /infer}, checked by HTTP GET {@code /health}. */
    public static String httpFunction(String name) {
        return "{\"name\":\"" + name + "\",\"inferenceProtocol\":\"HTTP\",\"inferenceUrl\":\"/infer\","
                + "\"health\":{\"protocol\":\"HTTP\",\"uri\":\"/health\"}}";
    }

    /** A function of this protocol whose instances are never checked (healthy as soon as deployed). */
    public static String uncheckedFunction(String name, String protocol) {
        return "{\"name\":\"" + name + "\",\"inferenceProtocol\":\"" + protocol + "\",\"inferenceUrl\":\"/infer\","
                + "\"health\":{\"protocol\":\"NONE\"}}";
    }

    /** Registers the function (the JSON body of {@code POST /v2/nvcf/functions}); deploys nothing. */
    public static Deployed register(AdminClient admin, String function) {
        var created = admin.post("/v2/nvcf/functions", function);
        assertThat(created.status()).as(created.text()).isEqualTo(200);
        String functionId = created.at("/function/id");
        String versionId = created.at("/function/versionId");
        return new Deployed(functionId, versionId,
                "/v2/nvcf/deployments/functions/" + functionId + "/versions/" + versionId);
    }

    /** Registers the function, deploys its first version on the addresses, and waits until it is ACTIVE. */
    public static Deployed deploy(AdminClient admin, String function, int maxRequestConcurrency, String... addresses) {
        Deployed deployed = register(admin, function);
        admin.post(deployed.path(), "{\"endpoints\":[" + Arrays.stream(addresses).map(a -> "\"" + a + "\"")
                .collect(Collectors.joining(",")) + "],\"maxRequestConcurrency\":" + maxRequestConcurrency + "}");
        await().atMost(Duration.ofSeconds(10)).until(() -> "ACTIVE".equals(admin.get(deployed.path())
                .at("/deployment/status")));
        return deployed;
    }
}

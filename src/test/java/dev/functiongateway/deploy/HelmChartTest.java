package dev.functiongateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;

/**
 * The Helm chart, linted and rendered by real Helm (helm-java runs Helm's Go code in the JVM), with its default
 * values and with every optional part on; then assertions on the rendered objects.
 */
class HelmChartTest {

    private static final Path CHART = Path.of("helm", "function-gateway");
    private static final Path ALL_ON = Path.of("src", "test", "resources", "helm", "all-on.yaml");

    @TempDir
    Path temp;

    @Test
    void lintsCleanWithDefaultsAndWithEveryOptionOn() throws IOException {
        assertLintClean(CHART);
        Path allOn = copyChartWithValues(mergedValues());
        assertLintClean(allOn);
    }

    @Test
    @SuppressWarnings("unchecked")
    void defaultsRenderOneHardenedPodWithItsPortsAndProbes() {
        Map<String, Map<String, Object>> objects = render(template());
        assertThat(objects.keySet()).containsExactlyInAnyOrder("ConfigMap/fg-function-gateway",
                "ServiceAccount/fg-function-gateway", "Service/fg-function-gateway", "Service/fg-function-gateway-grpc",
                "Deployment/fg-function-gateway");

        Map<String, Object> deployment = objects.get("Deployment/fg-function-gateway");
        assertThat(at(deployment, "spec.replicas")).isEqualTo(1);
        Map<String, Object> pod = mapAt(deployment, "spec.template.spec");
        assertThat(at(pod, "securityContext.runAsNonRoot")).isEqualTo(true);
        assertThat((Integer) at(pod, "securityContext.runAsUser")).isPositive();
        assertThat((Integer) at(pod, "terminationGracePeriodSeconds")).isGreaterThan(30);
        Map<String, Object> container = first(at(pod, "containers"));
        assertThat(at(container, "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(at(container, "securityContext.allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(ports(at(container, "ports"))).containsExactlyInAnyOrderEntriesOf(
                Map.of("http", 8080, "grpc", 10081, "management", 8081));
        assertThat(at(container, "readinessProbe.httpGet.path")).isEqualTo("/actuator/health/readiness");
        assertThat(at(container, "livenessProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
        assertThat(at(container, "readinessProbe.httpGet.port")).isEqualTo("management");
        assertThat(at(container, "livenessProbe.httpGet.port")).isEqualTo("management");
        assertThat(pod).doesNotContainKeys("priorityClassName", "topologySpreadConstraints");
        assertThat(container).doesNotContainKey("envFrom");
        assertThat(container).as("the gateway generates the first key itself").doesNotContainKey("env");
        assertThat(((List<Map<String, Object>>) at(container, "volumeMounts")).stream()
                .map(m -> m.get("mountPath"))).contains("/app/data", "/tmp", "/app/config");

        Map<String, Object> config = new Yaml().load(
                (String) at(objects.get("ConfigMap/fg-function-gateway"), "data.application\\.yml"));
        assertThat(at(config, "gateway.proxy.drain-time")).isEqualTo("30s");
        assertThat(at(config, "spring.lifecycle.timeout-per-shutdown-phase")).isEqualTo("40s");
        assertThat(at(config, "gateway.proxy.port")).isEqualTo(10081);
        assertThat(at(config, "server.port")).isEqualTo(8080);
        assertThat(at(config, "management.server.port")).isEqualTo(8081);
        assertThat(mapAt(config, "gateway")).as("the gateway's own defaults are not restated")
                .doesNotContainKeys("routing", "registry");
        assertThat(mapAt(deployment, "spec.template.metadata.annotations"))
                .containsKeys("checksum/config", "checksum/secret");

        objects.values().forEach(o -> assertThat(mapAt(o, "metadata.labels")).containsKeys(
                "app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
                "app.kubernetes.io/managed-by", "helm.sh/chart"));
    }

    @Test
    void grpcHasAServiceOfItsOwnSoExposingItNeverExposesTheAdminApiOrActuator() {
        Map<String, Map<String, Object>> objects = render(template().set("service.grpc.type", "LoadBalancer"));
        Map<String, Object> grpc = objects.get("Service/fg-function-gateway-grpc");
        assertThat(at(grpc, "spec.type")).isEqualTo("LoadBalancer");
        assertThat(ports(at(grpc, "spec.ports"))).containsExactlyEntriesOf(Map.of("grpc", 10081));
        Map<String, Object> http = objects.get("Service/fg-function-gateway");
        assertThat(at(http, "spec.type")).isEqualTo("ClusterIP");
        assertThat(ports(at(http, "spec.ports"))).containsExactlyInAnyOrderEntriesOf(
                Map.of("http", 8080, "management", 8081));
        assertThat(at(http, "spec.selector")).isEqualTo(at(grpc, "spec.selector"));
        assertThat(mapAt(http, "metadata.labels")).containsEntry("app.kubernetes.io/component", "http");
        assertThat(mapAt(grpc, "metadata.labels")).containsEntry("app.kubernetes.io/component", "grpc");
    }

    @Test
    void aDisruptionBudgetThatWouldBlockEveryDrainIsRefused() {
        String message = "no node could be drained";
        assertThatThrownBy(() -> template().set("podDisruptionBudget.enabled", true).call())
                .hasMessageContaining("podDisruptionBudget.minAvailable 1 must be below the 1 replicas")
                .hasMessageContaining(message);
        assertThatThrownBy(() -> template().withValuesFile(ALL_ON).set("podDisruptionBudget.minAvailable", 2).call())
                .as("with autoscaling, the floor is minReplicas").hasMessageContaining("below the 2 replicas");
        assertThatThrownBy(() -> template().withValuesFile(ALL_ON).set("podDisruptionBudget.minAvailable", "100%")
                .call()).hasMessageContaining(message);
        assertThat(render(template().withValuesFile(ALL_ON).set("podDisruptionBudget.minAvailable", "50%")))
                .containsKey("PodDisruptionBudget/fg-function-gateway");
    }

    @Test
    void worksAsASubchartWithGlobalValues() {
        assertThat(render(template().set("global.imageRegistry", "registry.example.com")))
                .containsKey("Deployment/fg-function-gateway");
    }

    @Test
    void everyOptionalPartAppearsOnlyWhenEnabled() {
        Map<String, Map<String, Object>> objects = render(template().withValuesFile(ALL_ON));
        assertThat(objects).containsKeys("HorizontalPodAutoscaler/fg-function-gateway",
                "PodDisruptionBudget/fg-function-gateway", "ServiceMonitor/fg-function-gateway",
                "NetworkPolicy/fg-function-gateway",
                "TCPRoute/fg-function-gateway-grpc", "ConfigMap/fg-function-gateway-dashboard",
                "PersistentVolumeClaim/fg-function-gateway");

        Map<String, Object> monitor = objects.get("ServiceMonitor/fg-function-gateway");
        assertThat(first(at(monitor, "spec.endpoints")))
                .isEqualTo(Map.of("port", "management", "path", "/actuator/prometheus", "interval", "30s"));
        assertThat(mapAt(monitor, "spec.selector.matchLabels")).containsEntry("app.kubernetes.io/component", "http");
        Map<String, Object> route = objects.get("TCPRoute/fg-function-gateway-grpc");
        assertThat(first(at(route, "spec.rules")).toString()).contains("port=10081")
                .contains("name=fg-function-gateway-grpc");
        assertThat(at(objects.get("Service/fg-function-gateway-grpc"), "spec.loadBalancerSourceRanges"))
                .isEqualTo(List.of("10.0.0.0/8"));

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> ingress = (List<Map<String, Object>>) at(
                objects.get("NetworkPolicy/fg-function-gateway"), "spec.ingress");
        Map<Object, Object> fromByPort = new LinkedHashMap<>();
        ingress.forEach(rule -> fromByPort.put(first(rule.get("ports")).get("port"), rule.get("from")));
        assertThat(fromByPort).containsOnlyKeys("grpc", "http", "management");
        assertThat(fromByPort.get("grpc")).isNull();
        assertThat(fromByPort.get("management").toString()).contains("monitoring");
        assertThat(mapAt(objects.get("ConfigMap/fg-function-gateway-dashboard"), "metadata.labels"))
                .containsEntry("grafana_dashboard", "1");
        assertThat((String) at(objects.get("ConfigMap/fg-function-gateway-dashboard"), "data.function-gateway\\.json"))
                .contains("gateway_grpc_calls_seconds_bucket");

        Map<String, Object> pod = mapAt(objects.get("Deployment/fg-function-gateway"), "spec.template.spec");
        Map<String, Object> container = first(at(pod, "containers"));
        assertThat(at(pod, "priorityClassName")).isEqualTo("gateway-critical");
        assertThat(first(at(pod, "topologySpreadConstraints"))).containsEntry("topologyKey",
                "topology.kubernetes.io/zone").containsEntry("labelSelector", Map.of("matchLabels", Map.of(
                        "app.kubernetes.io/name", "function-gateway", "app.kubernetes.io/instance", "fg")));
        assertThat(env(container, "JAVA_TOOL_OPTIONS")).isNull();
        assertThat(container.get("env").toString()).contains("JAVA_TOOL_OPTIONS");
        assertThat(container.get("envFrom")).isEqualTo(List.of(Map.of("secretRef", Map.of("name", "more-settings"))));
        assertThat(((List<?>) at(pod, "volumes")).toString()).contains("workers-ca");
        assertThat(((List<?>) at(container, "volumeMounts")).toString()).contains("/etc/gateway/workers-ca");
        assertThat(env(container, "SPRING_DATASOURCE_PASSWORD")).isEqualTo(
                Map.of("secretKeyRef", Map.of("name", "fg-function-gateway", "key", "database-password")));
        assertThat(env(container, "GATEWAY_AUTH_BOOTSTRAP_ADMIN_KEY")).isEqualTo(
                Map.of("secretKeyRef", Map.of("name", "fg-function-gateway", "key", "bootstrap-admin-key")));
        assertThat(mapAt(objects.get("Secret/fg-function-gateway"), "data")).containsOnlyKeys(
                "bootstrap-admin-key", "database-password");
        Map<String, Object> config = new Yaml().load(
                (String) at(objects.get("ConfigMap/fg-function-gateway"), "data.application\\.yml"));
        assertThat(at(config, "spring.datasource.url")).isEqualTo("jdbc:postgresql://db:5432/gateway");
        assertThat(at(config, "gateway.proxy.ssl.client-auth")).isEqualTo("require");
        assertThat(at(config, "logging.structured.format.console")).isEqualTo("ecs");
        assertThat(at(config, "gateway.routing.queue-max-size")).isEqualTo(10);
        assertThat(mapAt(objects.get("Deployment/fg-function-gateway"), "spec")).doesNotContainKey("replicas");
    }

    @Test
    void anExistingSecretReplacesTheChartsOwn() {
        Map<String, Map<String, Object>> objects = render(template().set("auth.existingSecret", "operator-secret"));
        assertThat(objects).doesNotContainKey("Secret/fg-function-gateway");
        Map<String, Object> container = first(at(objects.get("Deployment/fg-function-gateway"),
                "spec.template.spec.containers"));
        assertThat(env(container, "GATEWAY_AUTH_BOOTSTRAP_ADMIN_KEY")).isEqualTo(
                Map.of("secretKeyRef", Map.of("name", "operator-secret", "key", "bootstrap-admin-key")));
    }

    @Test
    void invalidValuesAreRefusedWithAMessage() {
        assertThatThrownBy(() -> template().set("replicaCount", 2).call())
                .hasMessageContaining("postgresql.url is required");
        assertThatThrownBy(() -> template().set("replicaCount", 2).set("postgresql.url", "jdbc:postgresql://db/g")
                .call()).hasMessageContaining("auth.bootstrapAdminKey or auth.existingSecret is required");
        assertThatThrownBy(() -> template().set("service.grpc.type", "Ingress").call())
                .hasMessageContaining("/service/grpc/type");
        assertThatThrownBy(() -> template().set("management.port", 8080).call())
                .hasMessageContaining("three different ports");
    }

    private TemplateCommand template() {
        return new Helm(CHART).template().withName("fg").withNamespace("gateway");
    }

    private static void assertLintClean(Path chart) {
        LintResult result = new Helm(chart).lint().strict().call();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    /** Rendered objects by {@code Kind/name}. */
    private static Map<String, Map<String, Object>> render(TemplateCommand command) {
        Map<String, Map<String, Object>> objects = new LinkedHashMap<>();
        for (Object document : new Yaml().loadAll(command.call())) {
            if (document instanceof Map<?, ?> map) {
                @SuppressWarnings("unchecked")
                Map<String, Object> object = (Map<String, Object>) map;
                objects.put(object.get("kind") + "/" + at(object, "metadata.name"), object);
            }
        }
        return objects;
    }

    /** Value at a dotted path; {@code \.} escapes a dot inside a key. */
    @SuppressWarnings("unchecked")
    private static Object at(Map<String, Object> object, String path) {
        Object current = object;
        for (String key : path.split("(?<!\\\\)\\.")) {
            current = current == null ? null : ((Map<String, Object>) current).get(key.replace("\\.", "."));
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> mapAt(Map<String, Object> object, String path) {
        return (Map<String, Object>) at(object, path);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> first(Object list) {
        return ((List<Map<String, Object>>) list).get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Integer> ports(Object list) {
        Map<String, Integer> byName = new LinkedHashMap<>();
        for (Map<String, Object> port : (List<Map<String, Object>>) list) {
            byName.put((String) port.get("name"),
                    (Integer) (port.containsKey("containerPort") ? port.get("containerPort") : port.get("port")));
        }
        return byName;
    }

    @SuppressWarnings("unchecked")
    private static Object env(Map<String, Object> container, String name) {
        for (Map<String, Object> variable : (List<Map<String, Object>>) container.get("env")) {
            if (name.equals(variable.get("name"))) {
                return variable.get("valueFrom");
            }
        }
        return null;
    }

    /** values.yaml with all-on.yaml merged over it, as Helm merges a values file. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> mergedValues() throws IOException {
        Map<String, Object> values = new Yaml().load(Files.readString(CHART.resolve("values.yaml")));
        merge(values, new Yaml().load(Files.readString(ALL_ON)));
        return values;
    }

    @SuppressWarnings("unchecked")
    private static void merge(Map<String, Object> base, Map<String, Object> override) {
        override.forEach((key, value) -> {
            if (value instanceof Map && base.get(key) instanceof Map) {
                merge((Map<String, Object>) base.get(key), (Map<String, Object>) value);
            } else {
                base.put(key, value);
            }
        });
    }

    private Path copyChartWithValues(Map<String, Object> values) throws IOException {
        Path copy = temp.resolve("function-gateway");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(CHART)) {
            files = new ArrayList<>(walk.toList());
        }
        for (Path source : files) {
            Path target = copy.resolve(CHART.relativize(source).toString());
            if (Files.isDirectory(source)) {
                Files.createDirectories(target);
            } else {
                Files.copy(source, target);
            }
        }
        Files.writeString(copy.resolve("values.yaml"), new Yaml().dump(values));
        return copy;
    }
}

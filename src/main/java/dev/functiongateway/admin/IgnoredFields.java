package dev.functiongateway.admin;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * NVIDIA Cloud Functions request fields that mean nothing to this gateway. They are accepted, so that NVCF
 * scripts run unchanged, and named in the answer's {@code warnings}; fields neither API knows stay a 400.
 */
final class IgnoredFields {

    private static final String NO_CONTAINERS = "this gateway runs no containers; deploy the worker yourself and "
            + "give its host:port as an endpoint (or let it register itself)";
    private static final String NO_SCHEDULING = "this gateway schedules nothing; it routes to the endpoints given";
    /** Why each field has no effect, by field. */
    private static final Map<String, String> WHY = byField(Map.of(
            NO_CONTAINERS, List.of("containerImage", "containerArgs", "containerEnvironment", "models", "resources",
                    "secrets", "helmChart", "helmChartServiceName"),
            NO_SCHEDULING, Stream.of("gpu", "instanceType", "backend", "minInstances", "maxInstances", "clusters",
                    "regions", "attributes", "availabilityZones", "configuration", "preferredOrder")
                    .map(field -> "deploymentSpecifications." + field).toList(),
            "the port is part of each endpoint's host:port", List.of("inferencePort"),
            "requests pass through to the worker unchanged", List.of("apiBodyFormat"),
            "streaming needs no declaration here", List.of("functionType"),
            "this gateway keeps no tags", List.of("tags"),
            "health checks go to each instance's own endpoint", List.of("health.port"),
            "the check deadline is gateway.routing.health-timeout", List.of("health.timeout"),
            "an HTTP health check passes on any 2xx answer", List.of("health.expectedStatusCode")));

    private final Map<String, Object> given = new LinkedHashMap<>();

    /** Notes a field's value; null means the request did not send it. */
    IgnoredFields add(String field, Object value) {
        if (!WHY.containsKey(field)) {
            throw new IllegalStateException("no reason recorded for ignoring " + field);
        }
        if (value != null) {
            given.putIfAbsent(field, value);
        }
        return this;
    }

    private static Map<String, String> byField(Map<String, List<String>> fieldsByReason) {
        Map<String, String> why = new HashMap<>();
        fieldsByReason.forEach((reason, fields) -> fields.forEach(field -> why.put(field, reason)));
        return Map.copyOf(why);
    }

    /** One warning per field sent, saying why it has no effect. */
    List<String> warnings() {
        List<String> warnings = new ArrayList<>();
        given.keySet().forEach(field -> warnings.add("'" + field + "' is ignored: " + WHY.get(field)));
        return warnings;
    }
}

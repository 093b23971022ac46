package dev.functiongateway.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NVIDIA Cloud Functions request fields that mean nothing to this gateway. They are accepted, so that NVCF
 * scripts run unchanged, and named in the answer's {@code warnings}; fields neither API knows stay a 400.
 */
final class IgnoredFields {

    private static final String NO_CONTAINERS = "this gateway runs no containers; deploy the worker yourself and "
            + "give its host:port as an endpoint (or let it register itself)";
    private static final String NO_SCHEDULING = "this gateway schedules nothing; it routes to the endpoints given";
    private static final Map<String, String> WHY = Map.ofEntries(
            Map.entry("inferencePort", "the port is part of each endpoint's host:port"),
            Map.entry("containerImage", NO_CONTAINERS),
            Map.entry("containerArgs", NO_CONTAINERS),
            Map.entry("containerEnvironment", NO_CONTAINERS),
            Map.entry("models", NO_CONTAINERS),
            Map.entry("resources", NO_CONTAINERS),
            Map.entry("secrets", NO_CONTAINERS),
            Map.entry("helmChart", NO_CONTAINERS),
            Map.entry("helmChartServiceName", NO_CONTAINERS),
            Map.entry("apiBodyFormat", "requests pass through to the worker unchanged"),
            Map.entry("functionType", "streaming needs no declaration here"),
            Map.entry("tags", "this gateway keeps no tags"),
            Map.entry("health.port", "health checks go to each instance's own endpoint"),
            Map.entry("health.timeout", "the check deadline is gateway.routing.health-timeout"),
            Map.entry("health.expectedStatusCode", "an HTTP health check passes on any 2xx answer"),
            Map.entry("deploymentSpecifications.gpu", NO_SCHEDULING),
            Map.entry("deploymentSpecifications.instanceType", NO_SCHEDULING),
            Map.entry("deploymentSpecifications.backend", NO_SCHEDULING),
            Map.entry("deploymentSpecifications.minInstances", NO_SCHEDULING),
            Map.entry("deploymentSpecifications.maxInstances", NO_SCHEDULING),
            Map.entry("deploymentSpecifications.clusters", NO_SCHEDULING),
            Map.entry("deploymentSpecifications.regions", NO_SCHEDULING),
            Map.entry("deploymentSpecifications.attributes", NO_SCHEDULING),
            Map.entry("deploymentSpecifications.availabilityZones", NO_SCHEDULING),
            Map.entry("deploymentSpecifications.configuration", NO_SCHEDULING),
            Map.entry("deploymentSpecifications.preferredOrder", NO_SCHEDULING));

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

    /** One warning per field sent, saying why it has no effect. */
    List<String> warnings() {
        List<String> warnings = new ArrayList<>();
        given.keySet().forEach(field -> warnings.add("'" + field + "' is ignored: " + WHY.get(field)));
        return warnings;
    }
}

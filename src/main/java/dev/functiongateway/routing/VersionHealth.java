package dev.functiongateway.routing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.springframework.stereotype.Component;

import dev.functiongateway.registry.FunctionVersion;
import dev.functiongateway.registry.RegistryProperties;
import dev.functiongateway.registry.VersionStatus;

/**
 * A deployed version's status as this replica sees its instances: ACTIVE when all are healthy, DEGRADED when
 * some are, DEPLOYING until the first one is, ERROR when all that once were healthy are not, or when none became
 * healthy within {@code gateway.registry.deploy-timeout} of being deployed. Versions an operator set to another
 * status keep it. Reads memory only; safe on any thread.
 */
@Component
public class VersionHealth {

    private final WorkerDirectory directory;
    private final Duration deployTimeout;
    private final Clock clock;

    public VersionHealth(WorkerDirectory directory, RegistryProperties properties, Clock clock) {
        this.directory = directory;
        this.deployTimeout = properties.deployTimeout();
        this.clock = clock;
    }

    /** One instance's health as the last check saw it; {@code lastCheckAt} is null before the first check. */
    public record InstanceHealth(boolean healthy, Instant lastCheckAt, String lastError) {
    }

    /**
     * A version's status, why it is not ACTIVE ({@code reason}, null when there is nothing to say), and each
     * instance's health by instance id.
     */
    public record Report(VersionStatus status, String reason, Map<String, InstanceHealth> instances) {
    }

    public VersionStatus statusOf(FunctionVersion version) {
        return report(version).status();
    }

    public Report report(FunctionVersion version) {
        if (version.status() != VersionStatus.ACTIVE) {
            return new Report(version.status(), null, Map.of());
        }
        List<Worker> workers = directory.workersOf(version.functionId(), version.id());
        Map<String, InstanceHealth> instances = new LinkedHashMap<>();
        workers.forEach(w -> instances.put(w.instance().id(),
                new InstanceHealth(w.healthy(), w.lastCheckAt(), w.lastError())));
        long healthy = workers.stream().filter(Worker::healthy).count();
        if (!workers.isEmpty() && healthy == workers.size()) {
            return new Report(VersionStatus.ACTIVE, null, instances);
        }
        if (healthy > 0) {
            return new Report(VersionStatus.DEGRADED, healthy + " of " + workers.size() + " instances are healthy"
                    + lastError(workers), instances);
        }
        if (workers.stream().anyMatch(Worker::everHealthy)) {
            return new Report(VersionStatus.ERROR, "no instance is healthy any more" + lastError(workers), instances);
        }
        Instant deployed = workers.stream().map(w -> w.instance().registeredAt()).min(Instant::compareTo).orElse(null);
        if (deployed != null && deployed.plus(deployTimeout).isBefore(clock.instant())) {
            return new Report(VersionStatus.ERROR, "no instance passed a health check within " + deployTimeout
                    + " of being deployed (gateway.registry.deploy-timeout)" + lastError(workers), instances);
        }
        return new Report(VersionStatus.DEPLOYING, workers.isEmpty() ? "no instance is registered"
                : "waiting for an instance to pass a health check" + lastError(workers), instances);
    }

    private static String lastError(List<Worker> workers) {
        return workers.stream().filter(w -> !w.healthy()).map(Worker::lastError).filter(Objects::nonNull).findFirst()
                .map(e -> "; last error: " + e).orElse("");
    }
}

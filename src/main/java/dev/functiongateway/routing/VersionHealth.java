package dev.functiongateway.routing;

import java.util.List;

import org.springframework.stereotype.Component;

import dev.functiongateway.registry.FunctionVersion;
import dev.functiongateway.registry.VersionStatus;

/**
 * A deployed version's status as this replica sees its instances: ACTIVE when all are healthy, DEGRADED when
 * some are, DEPLOYING until the first one is, ERROR when all that once were healthy are not. Versions an
 * operator set to another status keep it.
 */
@Component
public class VersionHealth {

    private final WorkerDirectory directory;

    public VersionHealth(WorkerDirectory directory) {
        this.directory = directory;
    }

    public VersionStatus statusOf(FunctionVersion version) {
        if (version.status() != VersionStatus.ACTIVE) {
            return version.status();
        }
        List<Worker> workers = directory.workersOf(version.functionId(), version.id());
        long healthy = workers.stream().filter(Worker::healthy).count();
        if (workers.isEmpty() || healthy == 0) {
            return workers.stream().anyMatch(Worker::everHealthy) ? VersionStatus.ERROR : VersionStatus.DEPLOYING;
        }
        return healthy == workers.size() ? VersionStatus.ACTIVE : VersionStatus.DEGRADED;
    }
}

package dev.functiongateway.admin;

import java.util.List;
import java.util.UUID;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import dev.functiongateway.auth.Scope;
import dev.functiongateway.registry.RegistryCache;
import dev.functiongateway.registry.RegistrySnapshot.FunctionEntry;
import dev.functiongateway.registry.VersionStatus;
import dev.functiongateway.routing.FunctionPool;
import dev.functiongateway.routing.VersionHealth;
import dev.functiongateway.routing.WorkerDirectory;
import dev.functiongateway.support.NotFoundException;

/**
 * How many new sessions wait for a worker slot on this replica, per version. Sessions that named no version
 * are counted on the function only ({@code anyVersionQueueDepth}). Reads memory only.
 */
@RestController
@RequestMapping("/v2/nvcf/queues/functions/{functionId}")
class QueueController {

    private final RegistryCache registry;
    private final WorkerDirectory workers;
    private final VersionHealth health;

    QueueController(RegistryCache registry, WorkerDirectory workers, VersionHealth health) {
        this.registry = registry;
        this.workers = workers;
        this.health = health;
    }

    record VersionQueue(UUID functionVersionId, VersionStatus functionStatus, int queueDepth) {
    }

    record Queues(UUID functionId, int anyVersionQueueDepth, List<VersionQueue> queues) {
    }

    @GetMapping
    @RequiredScope(Scope.QUEUE_DETAILS)
    @Operation(operationId = "getFunctionQueue", summary = "Queue depth of each version of a function on this replica")
    Queues function(Caller caller, @PathVariable("functionId") UUID functionId) {
        caller.requireAccess(functionId, null);
        return queues(caller, functionId, null);
    }

    @GetMapping("/versions/{versionId}")
    @RequiredScope(Scope.QUEUE_DETAILS)
    @Operation(operationId = "getFunctionVersionQueue", summary = "Queue depth of one version on this replica")
    Queues version(Caller caller, @PathVariable("functionId") UUID functionId,
            @PathVariable("versionId") UUID versionId) {
        caller.requireAccess(functionId, versionId);
        return queues(caller, functionId, versionId);
    }

    private Queues queues(Caller caller, UUID functionId, UUID versionId) {
        FunctionEntry function = registry.snapshot().function(functionId);
        if (function == null) {
            throw new NotFoundException("function " + functionId + " does not exist");
        }
        if (versionId != null && !function.versions().containsKey(versionId)) {
            throw new NotFoundException("function " + functionId + " has no version " + versionId);
        }
        FunctionPool pool = workers.pool(functionId);
        List<VersionQueue> queues = function.versions().values().stream()
                .filter(v -> versionId == null || v.version().id().equals(versionId))
                .filter(v -> caller.sees(functionId, v.version().id()))
                .map(v -> new VersionQueue(v.version().id(), health.statusOf(v.version()),
                        pool == null ? 0 : pool.queueDepth(v.version().id())))
                .toList();
        return new Queues(functionId, versionId != null || pool == null ? 0 : pool.queueDepth(null), queues);
    }
}

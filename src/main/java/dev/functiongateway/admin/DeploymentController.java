package dev.functiongateway.admin;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import dev.functiongateway.auth.Scope;
import dev.functiongateway.registry.FunctionInstance;
import dev.functiongateway.registry.RegistryService;
import dev.functiongateway.registry.RegistryService.Deployment;
import dev.functiongateway.registry.VersionStatus;
import dev.functiongateway.routing.VersionHealth;

/** Which workers serve a version: listed by an operator, or registering themselves with a heartbeat. */
@RestController
@RequestMapping("/v2/nvcf/deployments/functions/{functionId}/versions/{versionId}")
class DeploymentController {

    private final RegistryService registry;
    private final VersionHealth health;

    DeploymentController(RegistryService registry, VersionHealth health) {
        this.registry = registry;
        this.health = health;
    }

    /** Body of a deployment: worker endpoints ({@code host:port}), all reached with TLS when {@code tls}. */
    record DeploymentRequest(@Schema(requiredMode = REQUIRED) List<String> endpoints, Boolean tls,
            Integer maxRequestConcurrency) {
    }

    /** Body of a self-registration heartbeat; the instance lapses {@code ttlSeconds} after the last one. */
    record InstanceRequest(@Schema(requiredMode = REQUIRED) String address,
            @Schema(requiredMode = REQUIRED) Integer ttlSeconds, Boolean tls) {
    }

    record InstanceView(String id, String address, boolean tls, Instant registeredAt, Instant expiresAt) {

        static InstanceView of(FunctionInstance i) {
            return new InstanceView(i.id(), i.address().toString(), i.tls(), i.registeredAt(), i.expiresAt());
        }
    }

    record DeploymentView(UUID functionId, UUID versionId, String name, VersionStatus status,
            int maxRequestConcurrency, List<InstanceView> instances) {

        static DeploymentView of(Deployment d, VersionStatus status) {
            return new DeploymentView(d.function().id(), d.version().id(), d.function().name(), status,
                    d.version().maxRequestConcurrency(), d.instances().stream().map(InstanceView::of).toList());
        }
    }

    record OneDeployment(DeploymentView deployment) {
    }

    private OneDeployment view(Deployment d) {
        return new OneDeployment(DeploymentView.of(d, health.statusOf(d.version())));
    }

    @PostMapping
    @RequiredScope(Scope.DEPLOY_FUNCTION)
    @Operation(operationId = "createDeployment",
            summary = "Deploys a version to worker endpoints, replacing its instances")
    OneDeployment deploy(Caller caller, @PathVariable UUID functionId, @PathVariable UUID versionId,
            @RequestBody DeploymentRequest request) {
        caller.requireAccess(functionId, versionId);
        return view(registry.deploy(functionId, versionId, request.endpoints(), Boolean.TRUE.equals(request.tls()),
                request.maxRequestConcurrency()));
    }

    @GetMapping
    @RequiredScope(Scope.LIST_FUNCTIONS)
    @Operation(operationId = "getDeployment", summary = "Shows a version's deployment and each instance's health")
    OneDeployment get(Caller caller, @PathVariable UUID functionId, @PathVariable UUID versionId) {
        caller.requireAccess(functionId, versionId);
        return view(registry.deployment(functionId, versionId));
    }

    @DeleteMapping
    @RequiredScope(Scope.DEPLOY_FUNCTION)
    @Operation(operationId = "deleteDeployment", summary = "Removes every instance and marks the version INACTIVE")
    OneDeployment undeploy(Caller caller, @PathVariable UUID functionId, @PathVariable UUID versionId) {
        caller.requireAccess(functionId, versionId);
        return view(registry.undeploy(functionId, versionId));
    }

    /** Registers or renews one instance: 201 the first time, 200 for each renewal. */
    @PutMapping("/instances/{instanceId}")
    @RequiredScope(Scope.DEPLOY_FUNCTION)
    @Operation(operationId = "registerInstance",
            summary = "Registers or renews a self-registered instance (201 the first time)")
    ResponseEntity<OneDeployment> heartbeat(Caller caller, @PathVariable UUID functionId,
            @PathVariable UUID versionId, @PathVariable String instanceId, @RequestBody InstanceRequest request) {
        caller.requireAccess(functionId, versionId);
        if (request.ttlSeconds() == null) {
            throw new IllegalArgumentException("ttlSeconds is required");
        }
        boolean created = registry.heartbeat(functionId, versionId, instanceId, request.address(),
                request.ttlSeconds(), Boolean.TRUE.equals(request.tls()));
        return ResponseEntity.status(created ? HttpStatus.CREATED : HttpStatus.OK)
                .body(view(registry.deployment(functionId, versionId)));
    }

    @DeleteMapping("/instances/{instanceId}")
    @RequiredScope(Scope.DEPLOY_FUNCTION)
    @Operation(operationId = "deregisterInstance", summary = "Removes one self-registered instance")
    OneDeployment deregister(Caller caller, @PathVariable UUID functionId, @PathVariable UUID versionId,
            @PathVariable String instanceId) {
        caller.requireAccess(functionId, versionId);
        registry.deregister(functionId, versionId, instanceId);
        return view(registry.deployment(functionId, versionId));
    }
}

package dev.functiongateway.admin;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
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

import com.fasterxml.jackson.annotation.JsonInclude;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import dev.functiongateway.auth.Scope;
import dev.functiongateway.registry.FunctionInstance;
import dev.functiongateway.registry.RegistryService;
import dev.functiongateway.registry.RegistryService.Deployment;
import dev.functiongateway.registry.VersionSpec;
import dev.functiongateway.registry.VersionStatus;
import dev.functiongateway.routing.VersionHealth;
import dev.functiongateway.routing.VersionHealth.InstanceHealth;
import dev.functiongateway.routing.VersionHealth.Report;

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

    /**
     * Body of a deployment: worker endpoints ({@code host:port}), all reached with TLS when {@code tls}. NVCF's
     * {@code deploymentSpecifications} are accepted: their {@code maxRequestConcurrency} applies (when the body
     * does not set it), the rest is answered with warnings.
     */
    record DeploymentRequest(@Schema(requiredMode = REQUIRED) List<String> endpoints, Boolean tls,
            Integer maxRequestConcurrency, List<DeploymentSpecification> deploymentSpecifications) {

        Integer concurrency() {
            if (maxRequestConcurrency != null || deploymentSpecifications == null) {
                return maxRequestConcurrency;
            }
            List<Integer> given = deploymentSpecifications.stream().map(DeploymentSpecification::maxRequestConcurrency)
                    .filter(Objects::nonNull).distinct().toList();
            if (given.size() > 1) {
                throw new IllegalArgumentException("deploymentSpecifications give different maxRequestConcurrency "
                        + "values; this gateway applies one per version");
            }
            return given.isEmpty() ? null : given.get(0);
        }

        List<String> warnings() {
            IgnoredFields ignored = new IgnoredFields();
            if (deploymentSpecifications != null) {
                deploymentSpecifications.forEach(spec -> spec.ignored(ignored));
            }
            return ignored.warnings();
        }
    }

    /** One of NVCF's deployment specifications; only {@code maxRequestConcurrency} has an effect here. */
    record DeploymentSpecification(String gpu, String instanceType, String backend, Integer minInstances,
            Integer maxInstances, Integer maxRequestConcurrency, List<String> clusters, List<String> regions,
            List<String> attributes, List<String> availabilityZones, Object configuration, Integer preferredOrder) {

        void ignored(IgnoredFields ignored) {
            String prefix = "deploymentSpecifications.";
            ignored.add(prefix + "gpu", gpu).add(prefix + "instanceType", instanceType).add(prefix + "backend", backend)
                    .add(prefix + "minInstances", minInstances).add(prefix + "maxInstances", maxInstances)
                    .add(prefix + "clusters", clusters).add(prefix + "regions", regions)
                    .add(prefix + "attributes", attributes).add(prefix + "availabilityZones", availabilityZones)
                    .add(prefix + "configuration", configuration).add(prefix + "preferredOrder", preferredOrder);
        }
    }

    /** Body of a self-registration heartbeat; the instance lapses {@code ttlSeconds} after the last one. */
    record InstanceRequest(@Schema(requiredMode = REQUIRED) String address,
            @Schema(requiredMode = REQUIRED) Integer ttlSeconds, Boolean tls) {
    }

    /** An instance and its health as this replica's checks see it (not yet checked: not healthy, no time). */
    record InstanceView(String id, String address, boolean tls, Instant registeredAt, Instant expiresAt,
            InstanceHealth health) {

        static InstanceView of(FunctionInstance i, InstanceHealth health) {
            return new InstanceView(i.id(), i.address().toString(), i.tls(), i.registeredAt(), i.expiresAt(),
                    health != null ? health : new InstanceHealth(false, null, null));
        }
    }

    /** A stored instance that routing skips, with the reason; an operator removes or replaces it. */
    record UnusableInstanceView(String id, String address, String reason) {
    }

    /**
     * A deployment. {@code functionVersionId} and {@code functionStatus} are NVCF's names for {@code versionId}
     * and {@code status}, which stay for existing clients; {@code statusReason} says why it is not ACTIVE.
     */
    record DeploymentView(UUID functionId, UUID functionVersionId, UUID versionId, String name,
            VersionStatus functionStatus, VersionStatus status,
            @JsonInclude(JsonInclude.Include.NON_NULL) String statusReason, int maxRequestConcurrency,
            List<InstanceView> instances, List<UnusableInstanceView> unusableInstances) {

        static DeploymentView of(Deployment d, Report report) {
            return new DeploymentView(d.function().id(), d.version().id(), d.version().id(), d.function().name(),
                    report.status(), report.status(), report.reason(), d.version().maxRequestConcurrency(),
                    d.instances().stream().map(i -> InstanceView.of(i, report.instances().get(i.id()))).toList(),
                    d.unusable().stream().map(u -> new UnusableInstanceView(u.id(), u.address(), u.reason())).toList());
        }
    }

    /** A deployment; {@code warnings} name request fields that had no effect (absent when none). */
    record OneDeployment(DeploymentView deployment,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> warnings) {
    }

    private OneDeployment view(Deployment d) {
        return view(d, List.of());
    }

    private OneDeployment view(Deployment d, List<String> warnings) {
        return new OneDeployment(DeploymentView.of(d, health.report(d.version())), warnings);
    }

    @PostMapping
    @RequiredScope(Scope.DEPLOY_FUNCTION)
    @Operation(operationId = "createDeployment",
            summary = "Deploys a version to worker endpoints, replacing its instances")
    OneDeployment deploy(Caller caller, @PathVariable("functionId") UUID functionId,
            @PathVariable("versionId") UUID versionId, @RequestBody DeploymentRequest request) {
        caller.requireAccess(functionId, versionId);
        return view(registry.deploy(functionId, versionId, request.endpoints(), Boolean.TRUE.equals(request.tls()),
                request.concurrency()), request.warnings());
    }

    /**
     * NVCF's update of a deployment: with {@code endpoints}, the same as a new deployment; without, only
     * {@code maxRequestConcurrency} (or the deployment specifications') changes and the instances stay.
     */
    @PutMapping
    @RequiredScope(Scope.DEPLOY_FUNCTION)
    @Operation(operationId = "updateDeployment",
            summary = "Changes a deployment: new endpoints, or only the concurrency of the instances it has")
    OneDeployment update(Caller caller, @PathVariable("functionId") UUID functionId,
            @PathVariable("versionId") UUID versionId, @RequestBody DeploymentRequest request) {
        caller.requireAccess(functionId, versionId);
        if (request.endpoints() != null) {
            return deploy(caller, functionId, versionId, request);
        }
        Integer concurrency = request.concurrency();
        if (concurrency != null) {
            registry.update(functionId, versionId, new VersionSpec(null, null, null, null, concurrency), null);
        }
        return view(registry.deployment(functionId, versionId), request.warnings());
    }

    @GetMapping
    @RequiredScope(Scope.LIST_FUNCTIONS)
    @Operation(operationId = "getDeployment", summary = "Shows a version's deployment and each instance's health")
    OneDeployment get(Caller caller, @PathVariable("functionId") UUID functionId,
            @PathVariable("versionId") UUID versionId) {
        caller.requireAccess(functionId, versionId);
        return view(registry.deployment(functionId, versionId));
    }

    @DeleteMapping
    @RequiredScope(Scope.DEPLOY_FUNCTION)
    @Operation(operationId = "deleteDeployment", summary = "Removes every instance and marks the version INACTIVE")
    OneDeployment undeploy(Caller caller, @PathVariable("functionId") UUID functionId,
            @PathVariable("versionId") UUID versionId) {
        caller.requireAccess(functionId, versionId);
        return view(registry.undeploy(functionId, versionId));
    }

    /** Registers or renews one instance: 201 the first time, 200 for each renewal. */
    @PutMapping("/instances/{instanceId}")
    @RequiredScope(Scope.DEPLOY_FUNCTION)
    @Operation(operationId = "registerInstance",
            summary = "Registers or renews a self-registered instance (201 the first time)")
    @ApiResponse(responseCode = "201", description = "The instance was new", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "200", description = "The instance was renewed", useReturnTypeSchema = true)
    ResponseEntity<OneDeployment> heartbeat(Caller caller, @PathVariable("functionId") UUID functionId,
            @PathVariable("versionId") UUID versionId, @PathVariable("instanceId") String instanceId,
            @RequestBody InstanceRequest request) {
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
    OneDeployment deregister(Caller caller, @PathVariable("functionId") UUID functionId,
            @PathVariable("versionId") UUID versionId, @PathVariable("instanceId") String instanceId) {
        caller.requireAccess(functionId, versionId);
        registry.deregister(functionId, versionId, instanceId);
        return view(registry.deployment(functionId, versionId));
    }
}

package dev.functiongateway.admin;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

import java.util.List;
import java.util.UUID;

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
import dev.functiongateway.auth.Scope;
import dev.functiongateway.registry.HealthProtocol;
import dev.functiongateway.registry.InferenceProtocol;
import dev.functiongateway.registry.RegistryService;
import dev.functiongateway.registry.RegistryService.FunctionAndVersion;
import dev.functiongateway.registry.VersionSpec;
import dev.functiongateway.registry.VersionStatus;
import dev.functiongateway.routing.VersionHealth;

/**
 * Functions and their versions, at NVIDIA Cloud Functions' paths. Methods block on the database, so they
 * return plain values and WebFlux runs them on the application task executor, off the event loop.
 */
@RestController
@RequestMapping("/v2/nvcf/functions")
class FunctionController {

    /** NVIDIA Cloud Functions' inferenceUrl for gRPC functions. */
    static final String NVCF_GRPC_URL = "/grpc";

    private final RegistryService registry;
    private final VersionHealth health;

    FunctionController(RegistryService registry, VersionHealth health) {
        this.registry = registry;
        this.health = health;
    }

    /**
     * Body of a create or new-version request, in NVIDIA Cloud Functions' shape; null fields take defaults.
     * Without {@code inferenceProtocol}, NVCF's {@code inferenceUrl} decides: {@code /grpc} marks a gRPC function,
     * any other path an HTTP one. NVCF fields that mean nothing here are accepted and answered with warnings.
     */
    record FunctionRequest(@Schema(requiredMode = REQUIRED) String name, String description,
            InferenceProtocol inferenceProtocol, String inferenceUrl, Integer maxRequestConcurrency,
            HealthRequest health, Integer inferencePort, String containerImage, String containerArgs,
            List<Object> containerEnvironment, List<Object> models, List<Object> resources, List<Object> secrets,
            String helmChart, String helmChartServiceName, String apiBodyFormat, String functionType,
            List<String> tags) {

        VersionSpec spec() {
            InferenceProtocol protocol = inferenceProtocol != null || inferenceUrl == null ? inferenceProtocol
                    : NVCF_GRPC_URL.equals(inferenceUrl) ? InferenceProtocol.GRPC : InferenceProtocol.HTTP;
            return FunctionController.spec(protocol, inferenceUrl, health, maxRequestConcurrency);
        }

        List<String> warnings() {
            return HealthRequest.ignored(health).add("inferencePort", inferencePort)
                    .add("containerImage", containerImage).add("containerArgs", containerArgs)
                    .add("containerEnvironment", containerEnvironment).add("models", models)
                    .add("resources", resources).add("secrets", secrets).add("helmChart", helmChart)
                    .add("helmChartServiceName", helmChartServiceName).add("apiBodyFormat", apiBodyFormat)
                    .add("functionType", functionType).add("tags", tags).warnings();
        }
    }

    /**
     * How to check a version's instances: {@code protocol} GRPC (any case; {@code uri} the service name,
     * {@code /} or empty for the whole server), HTTP ({@code uri} the path) or NONE. NVCF's {@code port},
     * {@code timeout} and {@code expectedStatusCode} are accepted and ignored.
     */
    record HealthRequest(HealthProtocol protocol, String uri, Integer port, String timeout,
            Integer expectedStatusCode) {

        static IgnoredFields ignored(HealthRequest health) {
            IgnoredFields ignored = new IgnoredFields();
            return health == null ? ignored : ignored.add("health.port", health.port())
                    .add("health.timeout", health.timeout())
                    .add("health.expectedStatusCode", health.expectedStatusCode());
        }
    }

    /** Body of an update; null fields stay as they are. */
    record VersionUpdate(InferenceProtocol inferenceProtocol, String inferenceUrl, Integer maxRequestConcurrency,
            HealthRequest health, VersionStatus status) {

        VersionSpec spec() {
            return FunctionController.spec(inferenceProtocol, inferenceUrl, health, maxRequestConcurrency);
        }
    }

    private static VersionSpec spec(InferenceProtocol protocol, String inferenceUrl, HealthRequest health,
            Integer maxRequestConcurrency) {
        HealthProtocol healthProtocol = health == null ? null : health.protocol();
        String healthUri = health == null ? null : health.uri();
        // NVCF writes "/" for a gRPC health check of the whole server; grpc.health.v1 names that service "".
        if (healthProtocol == HealthProtocol.GRPC && "/".equals(healthUri)) {
            healthUri = "";
        }
        return new VersionSpec(protocol, inferenceUrl, healthProtocol, healthUri, maxRequestConcurrency);
    }

    /** A function version; {@code warnings} name request fields that had no effect (absent when none). */
    record OneFunction(FunctionView function, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> warnings) {
    }

    record Functions(List<FunctionView> functions) {
    }

    @PostMapping
    @RequiredScope(Scope.REGISTER_FUNCTION)
    @Operation(operationId = "createFunction", summary = "Registers a function with its first version")
    OneFunction register(Caller caller, @RequestBody FunctionRequest request) {
        return one(registry.register(request.name(), request.description(), request.spec()), request.warnings());
    }

    @PostMapping("/{functionId}/versions")
    @RequiredScope(Scope.REGISTER_FUNCTION)
    @Operation(operationId = "createFunctionVersion", summary = "Adds a version to a function")
    OneFunction addVersion(Caller caller, @PathVariable("functionId") UUID functionId,
            @RequestBody FunctionRequest request) {
        caller.requireAccess(functionId, null);
        return one(registry.addVersion(functionId, request.name(), request.spec()), request.warnings());
    }

    @GetMapping
    @RequiredScope(Scope.LIST_FUNCTIONS)
    @Operation(operationId = "listFunctions", summary = "Lists every function version this key may see")
    Functions list(Caller caller) {
        return many(caller, registry.listAll());
    }

    @GetMapping("/{functionId}/versions")
    @RequiredScope(Scope.LIST_FUNCTIONS)
    @Operation(operationId = "listFunctionVersions", summary = "Lists a function's versions")
    Functions versions(Caller caller, @PathVariable("functionId") UUID functionId) {
        caller.requireAccess(functionId, null);
        return many(caller, registry.listVersions(functionId));
    }

    @GetMapping("/{functionId}/versions/{versionId}")
    @RequiredScope(Scope.LIST_FUNCTIONS)
    @Operation(operationId = "getFunctionVersion", summary = "Shows one function version")
    OneFunction get(Caller caller, @PathVariable("functionId") UUID functionId,
            @PathVariable("versionId") UUID versionId) {
        caller.requireAccess(functionId, versionId);
        return one(registry.get(functionId, versionId));
    }

    @PutMapping("/{functionId}/versions/{versionId}")
    @RequiredScope(Scope.UPDATE_FUNCTION)
    @Operation(operationId = "updateFunctionVersion", summary = "Changes a version's settings or status")
    OneFunction update(Caller caller, @PathVariable("functionId") UUID functionId,
            @PathVariable("versionId") UUID versionId, @RequestBody VersionUpdate request) {
        caller.requireAccess(functionId, versionId);
        return one(registry.update(functionId, versionId, request.spec(), request.status()),
                HealthRequest.ignored(request.health()).warnings());
    }

    @DeleteMapping("/{functionId}/versions/{versionId}")
    @RequiredScope(Scope.DELETE_FUNCTION)
    @Operation(operationId = "deleteFunctionVersion",
            summary = "Deletes a version (and the function with its last version)")
    OneFunction delete(Caller caller, @PathVariable("functionId") UUID functionId,
            @PathVariable("versionId") UUID versionId) {
        caller.requireAccess(functionId, versionId);
        OneFunction deleted = one(registry.get(functionId, versionId));
        registry.delete(functionId, versionId);
        return deleted;
    }

    private OneFunction one(FunctionAndVersion fv) {
        return one(fv, List.of());
    }

    private OneFunction one(FunctionAndVersion fv, List<String> warnings) {
        return new OneFunction(FunctionView.of(fv, health.statusOf(fv.version())), warnings);
    }

    private Functions many(Caller caller, List<FunctionAndVersion> all) {
        return new Functions(all.stream()
                .filter(fv -> caller.sees(fv.function().id(), fv.version().id()))
                .map(fv -> FunctionView.of(fv, health.statusOf(fv.version())))
                .toList());
    }
}

package dev.functiongateway.routing;

import java.util.UUID;

import org.springframework.stereotype.Component;

import dev.functiongateway.auth.ApiKey;
import dev.functiongateway.auth.ApiKeyService;
import dev.functiongateway.auth.Authentication;
import dev.functiongateway.auth.BearerToken;
import dev.functiongateway.auth.Scope;
import dev.functiongateway.observability.CallMetrics;
import dev.functiongateway.registry.RegistryCache;
import dev.functiongateway.registry.RegistrySnapshot.FunctionEntry;
import dev.functiongateway.registry.RegistrySnapshot.VersionEntry;

/**
 * The checks every invocation passes before a worker is chosen, the same on the gRPC and HTTP listeners: the
 * key, its {@code invoke_function} scope and function restriction, and the function (and version) in the
 * registry snapshot with something deployed. In memory only; refusals of keys are counted by reason.
 */
@Component
public class InvocationAdmission {

    /** Why a call was refused; each listener maps it to its own status. */
    public enum Refusal {
        UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND, UNAVAILABLE
    }

    /** Exactly one of {@code key} (with {@code function}) and {@code refusal} (with {@code message}) is set. */
    public record Admission(ApiKey key, FunctionEntry function, Refusal refusal, String message) {

        static Admission refused(Refusal refusal, String message, ApiKey key) {
            return new Admission(key, null, refusal, message);
        }

        public boolean admitted() {
            return refusal == null;
        }
    }

    private final ApiKeyService keys;
    private final RegistryCache registry;
    private final CallMetrics metrics;

    public InvocationAdmission(ApiKeyService keys, RegistryCache registry, CallMetrics metrics) {
        this.keys = keys;
        this.registry = registry;
        this.metrics = metrics;
    }

    /**
     * @param authorization the {@code authorization} value as sent (null if absent)
     * @param versionId     the version the client named, or null
     * @param listener      {@code grpc} or {@code http}, for the auth failure metric
     */
    public Admission admit(String authorization, UUID functionId, UUID versionId, String listener) {
        return admit(keys.authenticate(BearerToken.extract(authorization)), functionId, versionId, listener);
    }

    /** As {@link #admit(String, UUID, UUID, String)}, for a caller that has checked the key already. */
    public Admission admit(Authentication auth, UUID functionId, UUID versionId, String listener) {
        if (!auth.succeeded()) {
            metrics.authFailure(listener, auth.failure());
            return Admission.refused(Refusal.UNAUTHENTICATED, auth.failure().message(), null);
        }
        ApiKey key = auth.key();
        if (!key.has(Scope.INVOKE_FUNCTION)) {
            metrics.authFailure(listener, "missing_scope");
            return Admission.refused(Refusal.PERMISSION_DENIED, "this key lacks the 'invoke_function' scope", key);
        }
        if (!key.mayReach(functionId, versionId)) {
            metrics.authFailure(listener, "function_not_allowed");
            return Admission.refused(Refusal.PERMISSION_DENIED, "this key may not invoke function " + functionId
                    + (versionId == null ? "" : " version " + versionId), key);
        }
        FunctionEntry function = registry.snapshot().function(functionId);
        if (function == null) {
            return Admission.refused(Refusal.NOT_FOUND, "function " + functionId + " does not exist", key);
        }
        if (versionId != null) {
            VersionEntry version = function.versions().get(versionId);
            if (version == null) {
                return Admission.refused(Refusal.NOT_FOUND,
                        "function " + functionId + " has no version " + versionId, key);
            }
            if (!version.version().status().servesCalls()) {
                return Admission.refused(Refusal.UNAVAILABLE, "version " + versionId + " of function " + functionId
                        + " is " + version.version().status() + ", not ACTIVE", key);
            }
        } else if (!anyServesCalls(function)) {
            return Admission.refused(Refusal.UNAVAILABLE, "function " + functionId + " has no ACTIVE version", key);
        }
        return new Admission(key, function, null, null);
    }

    /** A loop, not a stream: this runs on every call. */
    private static boolean anyServesCalls(FunctionEntry function) {
        for (VersionEntry version : function.versions().values()) {
            if (version.version().status().servesCalls()) {
                return true;
            }
        }
        return false;
    }
}

package dev.functiongateway.auth;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A stored API key: everything but its value, of which only the SHA-256 hash is kept.
 *
 * @param functions the functions this key may be used for; empty means all
 * @param createdBy the key that created this one; {@code null} for keys the gateway created itself
 * @param bootstrap true for the gateway's own admin key (configured or generated at start-up)
 */
public record ApiKey(
        UUID id,
        String name,
        String hash,
        Set<Scope> scopes,
        List<FunctionGrant> functions,
        Instant expiresAt,
        Instant revokedAt,
        Instant createdAt,
        UUID createdBy,
        boolean bootstrap) {

    public ApiKey {
        scopes = Set.copyOf(scopes);
        functions = List.copyOf(functions);
    }

    public boolean has(Scope scope) {
        return scopes.contains(scope);
    }

    /** True if the key's function restriction allows this function (and version, when not null). */
    public boolean allows(UUID functionId, UUID versionId) {
        if (functions.isEmpty()) {
            return true;
        }
        for (FunctionGrant grant : functions) {
            if (grant.allows(functionId, versionId)) {
                return true;
            }
        }
        return false;
    }

    /**
     * True if a request naming this function, and this version when {@code versionId} is not null, is within the
     * key's function restriction. With no version named, a grant on any one version of the function suffices.
     */
    public boolean mayReach(UUID functionId, UUID versionId) {
        if (versionId != null) {
            return allows(functionId, versionId);
        }
        return functions.isEmpty() || functions.stream().anyMatch(g -> g.functionId().equals(functionId));
    }

    /**
     * True if a key with these powers gives nothing this key lacks: its scopes are among this key's, every
     * function it may reach this key may reach too, and it does not outlive this key. A key may create, see and
     * revoke only keys it covers, so that no key can hand out more than it holds.
     */
    public boolean covers(Set<Scope> otherScopes, List<FunctionGrant> otherFunctions, Instant otherExpiresAt) {
        if (!scopes.containsAll(otherScopes)) {
            return false;
        }
        if (!functions.isEmpty()) {
            if (otherFunctions.isEmpty()) {
                return false;
            }
            for (FunctionGrant grant : otherFunctions) {
                if (!allows(grant.functionId(), grant.versionId())) {
                    return false;
                }
            }
        }
        return expiresAt == null || (otherExpiresAt != null && !otherExpiresAt.isAfter(expiresAt));
    }

    /** {@link #covers(Set, List, Instant)} for a stored key. */
    public boolean covers(ApiKey other) {
        return covers(other.scopes(), other.functions(), other.expiresAt());
    }
}

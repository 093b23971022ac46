package dev.functiongateway.admin;

import java.util.UUID;

import dev.functiongateway.auth.ApiKey;
import dev.functiongateway.auth.Scope;
import dev.functiongateway.support.ForbiddenException;

/**
 * The authenticated key behind an admin request. Declare it as the first parameter of a controller method:
 * {@link CallerArgumentResolver} then refuses the request with 401 before the body is read.
 */
public record Caller(ApiKey key) {

    /** @throws ForbiddenException if the key lacks the scope */
    public Caller require(Scope scope) {
        if (!key.has(scope)) {
            throw new ForbiddenException("this key lacks the '" + scope.wireName() + "' scope");
        }
        return this;
    }

    /** @throws ForbiddenException if the key is restricted to other functions or versions */
    public Caller requireAccess(UUID functionId, UUID versionId) {
        if (!key.mayReach(functionId, versionId)) {
            throw new ForbiddenException("this key is not allowed function " + functionId
                    + (versionId == null ? "" : " version " + versionId));
        }
        return this;
    }

    /** True if listing should show this function version to the caller. */
    public boolean sees(UUID functionId, UUID versionId) {
        return key.allows(functionId, versionId);
    }
}

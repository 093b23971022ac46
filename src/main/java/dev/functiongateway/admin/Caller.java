package dev.functiongateway.admin;

import java.util.UUID;

import dev.functiongateway.auth.ApiKey;
import dev.functiongateway.support.ForbiddenException;

/**
 * The authenticated key behind an admin request, put on the exchange by {@link AdminAuthorizationFilter} once
 * the key has the operation's scope. Declare it as a controller method parameter to check function
 * restrictions.
 */
public record Caller(ApiKey key) {

    /** The exchange attribute that holds the caller. */
    static final String ATTRIBUTE = Caller.class.getName();

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

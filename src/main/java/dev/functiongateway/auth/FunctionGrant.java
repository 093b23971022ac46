package dev.functiongateway.auth;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import dev.functiongateway.support.Ids;
import dev.functiongateway.support.LogSafe;

/** One entry of a key's function restriction: a whole function, or one version of it. */
public record FunctionGrant(UUID functionId, UUID versionId) {

    /** Parses {@code <function-id>} or {@code <function-id>/<version-id>}. */
    @JsonCreator
    public static FunctionGrant parse(String text) {
        String[] parts = text == null ? new String[0] : text.split("/", 3);
        if (parts.length < 1 || parts.length > 2 || !Ids.isCanonicalUuid(parts[0])
                || parts.length == 2 && !Ids.isCanonicalUuid(parts[1])) {
            throw new IllegalArgumentException("a function restriction must be '<function-id>' or "
                    + "'<function-id>/<version-id>' (UUIDs), got '" + LogSafe.escape(text, 80) + "'");
        }
        return new FunctionGrant(Ids.parseUuid(parts[0]), parts.length == 2 ? Ids.parseUuid(parts[1]) : null);
    }

    /** True if this entry allows the function, and the version when one is named. */
    public boolean allows(UUID function, UUID version) {
        return functionId.equals(function) && (versionId == null || versionId.equals(version));
    }

    @JsonValue
    @Override
    public String toString() {
        return versionId == null ? functionId.toString() : functionId + "/" + versionId;
    }
}

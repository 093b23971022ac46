package dev.functiongateway.auth;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What a key may do. The first three are for callers of functions, the rest for operators. */
public enum Scope {
    INVOKE_FUNCTION, LIST_FUNCTIONS, QUEUE_DETAILS,
    REGISTER_FUNCTION, DEPLOY_FUNCTION, UPDATE_FUNCTION, DELETE_FUNCTION, MANAGE_KEYS;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the wire name ({@code invoke_function}); unknown names fail with the list of valid ones. */
    @JsonCreator
    public static Scope fromWireName(String name) {
        for (Scope scope : values()) {
            if (scope.wireName().equals(name)) {
                return scope;
            }
        }
        throw new IllegalArgumentException("unknown scope '" + name + "'; valid scopes are "
                + Arrays.stream(values()).map(Scope::wireName).collect(Collectors.joining(", ")));
    }
}

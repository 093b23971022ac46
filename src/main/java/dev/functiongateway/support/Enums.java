package dev.functiongateway.support;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Enum names as clients write them. */
public final class Enums {

    private Enums() {
    }

    /**
     * The constant with this name in any case ({@code "gRPC"} is {@code GRPC}).
     *
     * @throws IllegalArgumentException naming the valid values, fit for a client
     */
    public static <E extends Enum<E>> E parseIgnoringCase(Class<E> type, String name) {
        for (E value : type.getEnumConstants()) {
            if (value.name().equalsIgnoreCase(name)) {
                return value;
            }
        }
        throw new IllegalArgumentException("must be one of " + Arrays.stream(type.getEnumConstants())
                .map(Enum::name).collect(Collectors.joining(", ")) + " (any case), got '"
                + LogSafe.escape(name, 64) + "'");
    }
}

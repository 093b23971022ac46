package dev.functiongateway.registry;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The whole registry at one moment, immutable, so the call path reads it without locks or database I/O.
 * A new snapshot replaces the old one whole after every write and on every refresh.
 */
public record RegistrySnapshot(Map<UUID, FunctionEntry> functions) {

    public static final RegistrySnapshot EMPTY = new RegistrySnapshot(Map.of());

    /** A function with its versions, oldest first. */
    public record FunctionEntry(RegisteredFunction function, Map<UUID, VersionEntry> versions) {
    }

    /** A version with its live (unexpired) instances. */
    public record VersionEntry(FunctionVersion version, List<FunctionInstance> instances) {
    }

    public RegistrySnapshot {
        functions = Map.copyOf(functions);
    }

    static RegistrySnapshot of(Collection<RegisteredFunction> functions, Collection<FunctionVersion> versions,
            Collection<FunctionInstance> instances) {
        Map<UUID, List<FunctionInstance>> instancesByVersion = instances.stream()
                .collect(Collectors.groupingBy(FunctionInstance::versionId));
        Map<UUID, Map<UUID, VersionEntry>> versionsByFunction = new LinkedHashMap<>();
        for (FunctionVersion version : versions) {
            versionsByFunction.computeIfAbsent(version.functionId(), id -> new LinkedHashMap<>())
                    .put(version.id(), new VersionEntry(version,
                            List.copyOf(instancesByVersion.getOrDefault(version.id(), List.of()))));
        }
        Map<UUID, FunctionEntry> entries = new LinkedHashMap<>();
        for (RegisteredFunction function : functions) {
            Map<UUID, VersionEntry> own = versionsByFunction.getOrDefault(function.id(), Map.of());
            entries.put(function.id(), new FunctionEntry(function, Collections.unmodifiableMap(own)));
        }
        return new RegistrySnapshot(entries);
    }

    public FunctionEntry function(UUID functionId) {
        return functions.get(functionId);
    }

    public VersionEntry version(UUID functionId, UUID versionId) {
        FunctionEntry entry = functions.get(functionId);
        return entry == null ? null : entry.versions().get(versionId);
    }
}

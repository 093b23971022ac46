package dev.functiongateway.registry;

/** Published after a refresh produced a snapshot different from the one before. */
public record RegistryChangedEvent(RegistrySnapshot previous, RegistrySnapshot current) {
}

package dev.functiongateway.registry;

import java.time.Instant;
import java.util.UUID;

/** A function: a name under which one or more versions are deployed. */
public record RegisteredFunction(UUID id, String name, String description, Instant createdAt) {
}

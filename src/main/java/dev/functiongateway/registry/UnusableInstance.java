package dev.functiongateway.registry;

import java.util.UUID;

/**
 * An instance row that routing cannot use, such as an address stored by an older release that no longer parses.
 * It is kept out of the snapshot (so it never stops the rest of it, nor start-up) and shown to operators.
 *
 * @param address the stored text, as it is
 * @param reason  why it cannot be used, fit for an operator
 */
public record UnusableInstance(UUID versionId, String id, String address, String reason) {
}

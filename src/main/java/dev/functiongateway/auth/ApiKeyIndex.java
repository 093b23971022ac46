package dev.functiongateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * All stored keys, immutable, indexed by the first 16 hex digits of their hash. The full hash is then
 * compared in constant time, so a lookup's timing tells nothing of how much of a guessed hash matched.
 */
final class ApiKeyIndex {

    static final ApiKeyIndex EMPTY = new ApiKeyIndex(List.of());
    private static final int PREFIX = 16;

    private final Map<String, List<ApiKey>> byHashPrefix;

    ApiKeyIndex(Collection<ApiKey> keys) {
        Map<String, List<ApiKey>> index = new HashMap<>();
        for (ApiKey key : keys) {
            index.merge(key.hash().substring(0, PREFIX), List.of(key), (a, b) -> {
                List<ApiKey> both = new java.util.ArrayList<>(a);
                both.addAll(b);
                return List.copyOf(both);
            });
        }
        this.byHashPrefix = Map.copyOf(index);
    }

    ApiKey find(String hash) {
        List<ApiKey> candidates = byHashPrefix.get(hash.substring(0, PREFIX));
        if (candidates == null) {
            return null;
        }
        byte[] presented = hash.getBytes(StandardCharsets.US_ASCII);
        for (ApiKey candidate : candidates) {
            if (MessageDigest.isEqual(presented, candidate.hash().getBytes(StandardCharsets.US_ASCII))) {
                return candidate;
            }
        }
        return null;
    }
}

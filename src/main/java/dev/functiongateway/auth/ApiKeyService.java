package dev.functiongateway.auth;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Service;

import dev.functiongateway.support.Timestamps;
import dev.functiongateway.support.ConflictException;

/**
 * Creates, lists and revokes keys, and checks presented keys against an in-memory index of every stored
 * key. The index is rebuilt after each write here and every {@code gateway.registry.refresh-interval}, so a
 * key revoked through any replica is refused by all of them within that interval (the registry's, as both
 * follow the same database); {@link #authenticate}
 * never touches the database and is safe on any thread.
 */
@Service
public class ApiKeyService implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(ApiKeyService.class);

    private final ApiKeyRepository repository;
    private final Clock clock;
    private volatile ApiKeyIndex index = ApiKeyIndex.EMPTY;

    public ApiKeyService(ApiKeyRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
    }

    /** Loads the index before any key can be checked; {@link dev.functiongateway.config.PeriodicRefresh} keeps it fresh. */
    @Override
    public void afterPropertiesSet() {
        refresh();
    }

    /**
     * Creates a key. With {@code importedValue} null a new key is generated; otherwise that value is stored
     * (for keys migrated from another system).
     *
     * @throws IllegalArgumentException if the imported value is too short or not printable ASCII
     * @throws ConflictException        if a key with the same value already exists
     */
    public NewApiKey create(String name, Collection<Scope> scopes, List<FunctionGrant> functions, Instant expiresAt,
            String importedValue) {
        String value = importedValue == null ? ApiKeyFormat.generate() : importedValue;
        if (importedValue != null && !ApiKeyFormat.isWellFormed(importedValue)) {
            throw new IllegalArgumentException("an imported key value must be " + ApiKeyFormat.MIN_IMPORTED_LENGTH
                    + " to " + ApiKeyFormat.MAX_LENGTH + " printable ASCII characters without spaces"
                    + " (and, if it starts with '" + ApiKeyFormat.PREFIX + "', a valid generated key)");
        }
        String hash = ApiKeyFormat.hash(value);
        if (repository.existsByHash(hash)) {
            throw new ConflictException("a key with this value already exists");
        }
        Instant now = Timestamps.now(clock);
        EnumSet<Scope> scopeSet = scopes.isEmpty() ? EnumSet.noneOf(Scope.class) : EnumSet.copyOf(scopes);
        ApiKey key = new ApiKey(UUID.randomUUID(), name, hash, scopeSet, functions, expiresAt, null, now);
        repository.insert(key);
        refresh();
        return new NewApiKey(key, value);
    }

    public List<ApiKey> list() {
        return repository.findAll();
    }

    public Optional<ApiKey> find(UUID id) {
        return repository.findById(id);
    }

    /** Revokes the key (idempotent); returns it as it now stands, or empty if there is no such key. */
    public Optional<ApiKey> revoke(UUID id) {
        if (!repository.revoke(id, Timestamps.now(clock))) {
            return Optional.empty();
        }
        refresh();
        return repository.findById(id);
    }

    public boolean anyKeyExists() {
        return repository.count() > 0;
    }

    public boolean existsWithValue(String value) {
        return repository.existsByHash(ApiKeyFormat.hash(value));
    }

    /** Checks a presented key value (without the {@code Bearer } prefix); {@code null} means none was sent. */
    public Authentication authenticate(String presented) {
        if (presented == null || presented.isEmpty()) {
            return Authentication.failed(AuthFailure.MISSING);
        }
        if (!ApiKeyFormat.isWellFormed(presented)) {
            return Authentication.failed(AuthFailure.MALFORMED);
        }
        return byHash(ApiKeyFormat.hash(presented));
    }

    /**
     * Checks an already authenticated key again, as it now stands in the index: for calls that outlive a
     * revocation or an expiry. In memory; any thread.
     */
    public Authentication recheck(ApiKey key) {
        return byHash(key.hash());
    }

    private Authentication byHash(String hash) {
        ApiKey key = index.find(hash);
        if (key == null) {
            return Authentication.failed(AuthFailure.UNKNOWN);
        }
        if (key.revokedAt() != null) {
            return Authentication.failed(AuthFailure.REVOKED);
        }
        if (key.expiresAt() != null && !key.expiresAt().isAfter(clock.instant())) {
            return Authentication.failed(AuthFailure.EXPIRED);
        }
        return Authentication.success(key);
    }

    /**
     * Rebuilds the index from the database; on failure the previous index stays in force. Synchronized so that a
     * periodic refresh that read the table before a write cannot replace the index the write's refresh built.
     */
    public synchronized void refresh() {
        try {
            index = new ApiKeyIndex(repository.findAll());
        } catch (RuntimeException e) {
            log.warn("Key index refresh failed, keeping the previous one: {}", e.toString());
        }
    }
}

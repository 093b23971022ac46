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
import dev.functiongateway.support.ForbiddenException;
import dev.functiongateway.support.RecurringFailure;

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
    private static final String BOOTSTRAP_NAME = "bootstrap-admin";

    private final ApiKeyRepository repository;
    private final Clock clock;
    private volatile ApiKeyIndex index = ApiKeyIndex.EMPTY;
    /** Guarded by this object's monitor, as {@link #refresh()} is. */
    private final RecurringFailure refreshes = new RecurringFailure(log, "Key index refresh",
            "keeping the previous index");

    public ApiKeyService(ApiKeyRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
    }

    /** Loads the index before any key can be checked; {@link dev.functiongateway.config.PeriodicRefresh} keeps it fresh. */
    @Override
    public void afterPropertiesSet() {
        refresh();
    }

    /** Longest key name, in characters. */
    static final int MAX_NAME = 128;
    /** Most function grants one key may carry. */
    static final int MAX_GRANTS = 100;
    /** Latest expiry accepted: both databases store it, and no key needs to outlive it. */
    static final Instant MAX_EXPIRY = Instant.parse("9999-12-31T23:59:59Z");

    /**
     * Creates a key on behalf of {@code creator}, which must cover it (see {@link ApiKey#covers}): no key can
     * create a key with a scope it lacks, a function or version outside its own grants, or a later expiry.
     * With {@code importedValue} null a new key is generated; otherwise that value is stored (for keys migrated
     * from another system).
     *
     * @throws IllegalArgumentException if a field is invalid (message fit for the client)
     * @throws ForbiddenException       if the creator does not cover the new key
     * @throws ConflictException        if a key with the same value already exists
     */
    public NewApiKey create(ApiKey creator, String name, Collection<Scope> scopes, List<FunctionGrant> functions,
            Instant expiresAt, String importedValue) {
        requireName(name);
        if (scopes == null || scopes.isEmpty()) {
            throw new IllegalArgumentException("scopes must name at least one scope");
        }
        List<FunctionGrant> grants = functions == null ? List.of() : functions;
        if (grants.size() > MAX_GRANTS) {
            throw new IllegalArgumentException("functions may name at most " + MAX_GRANTS + " functions or versions");
        }
        if (expiresAt != null && (!expiresAt.isAfter(clock.instant()) || expiresAt.isAfter(MAX_EXPIRY))) {
            throw new IllegalArgumentException("expiresAt must be in the future and not after " + MAX_EXPIRY);
        }
        EnumSet<Scope> scopeSet = EnumSet.copyOf(scopes);
        if (!creator.covers(scopeSet, grants, expiresAt)) {
            throw new ForbiddenException("a key can only create keys within its own scopes, functions and expiry;"
                    + " this one would grant more than the calling key holds");
        }
        return insert(name, scopeSet, grants, expiresAt, importedValue, creator.id(), false);
    }

    /**
     * Makes sure the gateway's own all-scope admin key with this value exists (generated when null) and that it
     * is the only valid bootstrap key: any previous one, configured or generated, is revoked.
     *
     * @return the key created, or empty if a key with this value already existed
     */
    public Optional<NewApiKey> ensureBootstrapKey(String value) {
        if (value != null && repository.existsByHash(ApiKeyFormat.hash(value))) {
            revokeOtherBootstrapKeys(ApiKeyFormat.hash(value));
            ApiKey existing = index.find(ApiKeyFormat.hash(value));
            if (existing != null && existing.revokedAt() != null) {
                log.warn("The configured bootstrap admin key has been revoked and stays so: configure a new value");
            }
            return Optional.empty();
        }
        NewApiKey created = insert(BOOTSTRAP_NAME, EnumSet.allOf(Scope.class), List.of(), null, value, null, true);
        revokeOtherBootstrapKeys(created.key().hash());
        return Optional.of(created);
    }

    private void revokeOtherBootstrapKeys(String keepHash) {
        int revoked = repository.revokeOtherBootstrapKeys(keepHash, Timestamps.now(clock));
        if (revoked > 0) {
            log.info("Revoked {} previous bootstrap admin key(s): the configured one replaces them", revoked);
            refresh();
        }
    }

    private NewApiKey insert(String name, EnumSet<Scope> scopes, List<FunctionGrant> functions, Instant expiresAt,
            String importedValue, UUID createdBy, boolean bootstrap) {
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
        ApiKey key = new ApiKey(UUID.randomUUID(), name, hash, scopes, functions, expiresAt, null,
                Timestamps.now(clock), createdBy, bootstrap);
        repository.insert(key);
        refresh();
        return new NewApiKey(key, value);
    }

    private static void requireName(String name) {
        if (name == null || name.isBlank() || name.length() > MAX_NAME
                || name.codePoints().anyMatch(ApiKeyService::isControlOrFormat)) {
            throw new IllegalArgumentException("name is required: 1 to " + MAX_NAME
                    + " characters, no control characters");
        }
    }

    private static boolean isControlOrFormat(int codePoint) {
        int type = Character.getType(codePoint);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }

    /** The keys {@code viewer} covers, which are the only ones it may see. */
    public List<ApiKey> list(ApiKey viewer) {
        return repository.findAll().stream().filter(viewer::covers).toList();
    }

    /** The key, if it exists and {@code viewer} covers it; otherwise empty, as if it did not exist. */
    public Optional<ApiKey> find(ApiKey viewer, UUID id) {
        return repository.findById(id).filter(viewer::covers);
    }

    /**
     * Revokes the key (idempotent) if {@code viewer} covers it; returns it as it now stands, or empty if there is
     * no such key that the viewer may see.
     */
    public Optional<ApiKey> revoke(ApiKey viewer, UUID id) {
        if (find(viewer, id).isEmpty()) {
            return Optional.empty();
        }
        repository.revoke(id, Timestamps.now(clock));
        refresh();
        return repository.findById(id);
    }

    public boolean anyKeyExists() {
        return repository.count() > 0;
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
            refreshes.succeeded();
        } catch (RuntimeException e) {
            refreshes.failed(e);
        }
    }
}

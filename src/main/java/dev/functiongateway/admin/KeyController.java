package dev.functiongateway.admin;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.functiongateway.auth.ApiKey;
import dev.functiongateway.auth.ApiKeyService;
import dev.functiongateway.auth.FunctionGrant;
import dev.functiongateway.auth.NewApiKey;
import dev.functiongateway.auth.Scope;
import dev.functiongateway.support.NotFoundException;

/** API keys. A key's value appears once, in the answer to its creation; after that only its id. */
@RestController
@RequestMapping("/v1/keys")
class KeyController {

    private static final int MAX_NAME = 128;

    private final ApiKeyService keys;

    KeyController(ApiKeyService keys) {
        this.keys = keys;
    }

    /** Body of a create: {@code value} imports a key from another system instead of generating one. */
    record KeyRequest(String name, Set<Scope> scopes, List<FunctionGrant> functions, Instant expiresAt, String value) {
    }

    record KeyView(UUID id, String name, List<Scope> scopes, List<FunctionGrant> functions, Instant expiresAt,
            Instant revokedAt, Instant createdAt) {

        static KeyView of(ApiKey k) {
            return new KeyView(k.id(), k.name(), k.scopes().stream().sorted().toList(), k.functions(), k.expiresAt(),
                    k.revokedAt(), k.createdAt());
        }
    }

    record CreatedKey(KeyView key, String value) {
    }

    record OneKey(KeyView key) {
    }

    record Keys(List<KeyView> keys) {
    }

    @PostMapping
    CreatedKey create(Caller caller, @RequestBody KeyRequest request) {
        caller.require(Scope.MANAGE_KEYS);
        if (request.name() == null || request.name().isBlank() || request.name().length() > MAX_NAME) {
            throw new IllegalArgumentException("name is required, at most " + MAX_NAME + " characters");
        }
        if (request.scopes() == null || request.scopes().isEmpty()) {
            throw new IllegalArgumentException("scopes must name at least one scope");
        }
        if (request.expiresAt() != null && !request.expiresAt().isAfter(Instant.now())) {
            throw new IllegalArgumentException("expiresAt must be in the future");
        }
        NewApiKey created = keys.create(request.name(), request.scopes(),
                request.functions() == null ? List.of() : request.functions(), request.expiresAt(), request.value());
        return new CreatedKey(KeyView.of(created.key()), created.value());
    }

    @GetMapping
    Keys list(Caller caller) {
        caller.require(Scope.MANAGE_KEYS);
        return new Keys(keys.list().stream().map(KeyView::of).toList());
    }

    @GetMapping("/{id}")
    OneKey get(Caller caller, @PathVariable UUID id) {
        caller.require(Scope.MANAGE_KEYS);
        return new OneKey(KeyView.of(keys.find(id).orElseThrow(() -> noSuchKey(id))));
    }

    /** Revokes the key; it is refused everywhere within the refresh interval. Revoking twice is harmless. */
    @DeleteMapping("/{id}")
    OneKey revoke(Caller caller, @PathVariable UUID id) {
        caller.require(Scope.MANAGE_KEYS);
        return new OneKey(KeyView.of(keys.revoke(id).orElseThrow(() -> noSuchKey(id))));
    }

    private static NotFoundException noSuchKey(UUID id) {
        return new NotFoundException("key " + id + " does not exist");
    }
}

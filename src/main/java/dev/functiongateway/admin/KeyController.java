package dev.functiongateway.admin;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

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

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import dev.functiongateway.auth.ApiKey;
import dev.functiongateway.auth.ApiKeyService;
import dev.functiongateway.auth.FunctionGrant;
import dev.functiongateway.auth.NewApiKey;
import dev.functiongateway.auth.Scope;
import dev.functiongateway.support.NotFoundException;

/**
 * API keys. A key's value appears once, in the answer to its creation; after that only its id. A caller sees,
 * creates and revokes only keys within its own powers ({@link ApiKey#covers}); the others answer 404, like
 * unknown ones.
 */
@RestController
@RequestMapping("/v1/keys")
class KeyController {

    private final ApiKeyService keys;

    KeyController(ApiKeyService keys) {
        this.keys = keys;
    }

    /** Body of a create: {@code value} imports a key from another system instead of generating one. */
    record KeyRequest(@Schema(requiredMode = REQUIRED) String name, @Schema(requiredMode = REQUIRED) Set<Scope> scopes,
            List<FunctionGrant> functions, Instant expiresAt, String value) {
    }

    /** A key as shown: {@code createdBy} is the id of the key that created it, null for the gateway's own. */
    record KeyView(UUID id, String name, List<Scope> scopes, List<FunctionGrant> functions, Instant expiresAt,
            Instant revokedAt, Instant createdAt, UUID createdBy) {

        static KeyView of(ApiKey k) {
            return new KeyView(k.id(), k.name(), k.scopes().stream().sorted().toList(), k.functions(), k.expiresAt(),
                    k.revokedAt(), k.createdAt(), k.createdBy());
        }
    }

    record CreatedKey(KeyView key, String value) {
    }

    record OneKey(KeyView key) {
    }

    record Keys(List<KeyView> keys) {
    }

    @PostMapping
    @RequiredScope(Scope.MANAGE_KEYS)
    @Operation(operationId = "createKey",
            summary = "Creates an API key within the calling key's powers; its value is shown this once")
    @ApiResponse(responseCode = "200", description = "The key, and its value this one time", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", description = "A key with this value already exists.")
    CreatedKey create(Caller caller, @RequestBody KeyRequest request) {
        NewApiKey created = keys.create(caller.key(), request.name(), request.scopes(), request.functions(),
                request.expiresAt(), request.value());
        return new CreatedKey(KeyView.of(created.key()), created.value());
    }

    @GetMapping
    @RequiredScope(Scope.MANAGE_KEYS)
    @Operation(operationId = "listKeys", summary = "Lists the keys within the calling key's powers")
    Keys list(Caller caller) {
        return new Keys(keys.list(caller.key()).stream().map(KeyView::of).toList());
    }

    @GetMapping("/{id}")
    @RequiredScope(Scope.MANAGE_KEYS)
    @Operation(operationId = "getKey", summary = "Shows one key")
    OneKey get(Caller caller, @PathVariable("id") UUID id) {
        return new OneKey(KeyView.of(keys.find(caller.key(), id).orElseThrow(() -> noSuchKey(id))));
    }

    /** Revokes the key; it is refused everywhere within the refresh interval. Revoking twice is harmless. */
    @DeleteMapping("/{id}")
    @RequiredScope(Scope.MANAGE_KEYS)
    @Operation(operationId = "revokeKey",
            summary = "Revokes a key; it is refused everywhere within the refresh interval")
    OneKey revoke(Caller caller, @PathVariable("id") UUID id) {
        return new OneKey(KeyView.of(keys.revoke(caller.key(), id).orElseThrow(() -> noSuchKey(id))));
    }

    private static NotFoundException noSuchKey(UUID id) {
        return new NotFoundException("key " + id + " does not exist");
    }
}

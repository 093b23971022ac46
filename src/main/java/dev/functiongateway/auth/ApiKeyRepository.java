package dev.functiongateway.auth;

import static dev.functiongateway.support.Timestamps.fromDb;
import static dev.functiongateway.support.Timestamps.toDb;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for API keys. Scopes and function grants are stored as comma-separated lists. */
@Repository
public class ApiKeyRepository {

    private final JdbcClient jdbc;

    public ApiKeyRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(ApiKey key) {
        jdbc.sql("""
                insert into api_keys (id, name, key_hash, scopes, functions, expires_at, revoked_at, created_at,
                                      created_by, bootstrap)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(key.id(), key.name(), key.hash(),
                        key.scopes().stream().sorted().map(Scope::wireName).collect(Collectors.joining(",")),
                        key.functions().stream().map(FunctionGrant::toString).collect(Collectors.joining(",")),
                        toDb(key.expiresAt()), toDb(key.revokedAt()), toDb(key.createdAt()), key.createdBy(),
                        key.bootstrap())
                .update();
    }

    /** Revokes every bootstrap key but the one with this hash; returns how many were revoked. */
    public int revokeOtherBootstrapKeys(String keepHash, Instant at) {
        return jdbc.sql("update api_keys set revoked_at = ? where bootstrap and revoked_at is null and key_hash <> ?")
                .params(toDb(at), keepHash).update();
    }

    /** Marks the key revoked unless it already is; returns false if no such key exists. */
    public boolean revoke(UUID id, Instant at) {
        jdbc.sql("update api_keys set revoked_at = ? where id = ? and revoked_at is null").params(toDb(at), id).update();
        return jdbc.sql("select count(*) from api_keys where id = ?").param(id).query(Integer.class).single() > 0;
    }

    public Optional<ApiKey> findById(UUID id) {
        return jdbc.sql("select * from api_keys where id = ?").param(id).query(ApiKeyRepository::key).optional();
    }

    public boolean existsByHash(String hash) {
        return jdbc.sql("select count(*) from api_keys where key_hash = ?").param(hash).query(Integer.class).single() > 0;
    }

    public List<ApiKey> findAll() {
        return jdbc.sql("select * from api_keys order by created_at, id").query(ApiKeyRepository::key).list();
    }

    public long count() {
        return jdbc.sql("select count(*) from api_keys").query(Long.class).single();
    }

    private static ApiKey key(ResultSet rs, int row) throws SQLException {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String scope : split(rs.getString("scopes"))) {
            scopes.add(Scope.fromWireName(scope));
        }
        List<FunctionGrant> functions = split(rs.getString("functions")).stream().map(FunctionGrant::parse).toList();
        return new ApiKey(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("key_hash"), scopes,
                functions, fromDb(rs, "expires_at"), fromDb(rs, "revoked_at"), fromDb(rs, "created_at"),
                rs.getObject("created_by", UUID.class), rs.getBoolean("bootstrap"));
    }

    private static List<String> split(String joined) {
        return joined == null || joined.isEmpty() ? List.of() : Arrays.asList(joined.split(","));
    }
}

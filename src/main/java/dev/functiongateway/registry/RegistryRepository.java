package dev.functiongateway.registry;

import static dev.functiongateway.support.Timestamps.fromDb;
import static dev.functiongateway.support.Timestamps.toDb;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for functions, versions and instances. Plain statements that run unchanged on H2 and PostgreSQL. */
@Repository
public class RegistryRepository {

    private final JdbcClient jdbc;

    public RegistryRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(RegisteredFunction function) {
        jdbc.sql("insert into functions (id, name, description, created_at) values (?, ?, ?, ?)")
                .params(function.id(), function.name(), function.description(), toDb(function.createdAt()))
                .update();
    }

    public Optional<RegisteredFunction> findFunction(UUID id) {
        return jdbc.sql("select * from functions where id = ?").param(id).query(RegistryRepository::function).optional();
    }

    public List<RegisteredFunction> findAllFunctions() {
        return jdbc.sql("select * from functions order by created_at, id").query(RegistryRepository::function).list();
    }

    public void deleteFunction(UUID id) {
        jdbc.sql("delete from functions where id = ?").param(id).update();
    }

    public void insert(FunctionVersion v) {
        jdbc.sql("""
                insert into function_versions (id, function_id, status, inference_protocol, inference_url,
                    health_protocol, health_uri, max_request_concurrency, created_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(v.id(), v.functionId(), v.status().name(), v.inferenceProtocol().name(), v.inferenceUrl(),
                        v.healthProtocol().name(), v.healthUri(), v.maxRequestConcurrency(), toDb(v.createdAt()))
                .update();
    }

    public void update(FunctionVersion v) {
        jdbc.sql("""
                update function_versions set status = ?, inference_protocol = ?, inference_url = ?,
                    health_protocol = ?, health_uri = ?, max_request_concurrency = ?
                where id = ?""")
                .params(v.status().name(), v.inferenceProtocol().name(), v.inferenceUrl(), v.healthProtocol().name(),
                        v.healthUri(), v.maxRequestConcurrency(), v.id())
                .update();
    }

    public Optional<FunctionVersion> findVersion(UUID functionId, UUID versionId) {
        return jdbc.sql("select * from function_versions where function_id = ? and id = ?")
                .params(functionId, versionId).query(RegistryRepository::version).optional();
    }

    public List<FunctionVersion> findVersions(UUID functionId) {
        return jdbc.sql("select * from function_versions where function_id = ? order by created_at, id")
                .param(functionId).query(RegistryRepository::version).list();
    }

    public List<FunctionVersion> findAllVersions() {
        return jdbc.sql("select * from function_versions order by created_at, id")
                .query(RegistryRepository::version).list();
    }

    public void deleteVersion(UUID versionId) {
        jdbc.sql("delete from function_versions where id = ?").param(versionId).update();
    }

    public void insert(FunctionInstance i) {
        jdbc.sql("""
                insert into function_instances (version_id, id, address, use_tls, registered_at, expires_at)
                values (?, ?, ?, ?, ?, ?)""")
                .params(i.versionId(), i.id(), i.address().toString(), i.tls(), toDb(i.registeredAt()),
                        toDb(i.expiresAt()))
                .update();
    }

    /** Inserts or renews one instance; returns true when it was new. */
    public boolean upsert(FunctionInstance i) {
        int renewed = jdbc.sql("""
                update function_instances set address = ?, use_tls = ?, expires_at = ?
                where version_id = ? and id = ?""")
                .params(i.address().toString(), i.tls(), toDb(i.expiresAt()), i.versionId(), i.id())
                .update();
        if (renewed == 0) {
            insert(i);
        }
        return renewed == 0;
    }

    public InstanceRows findInstances(UUID versionId) {
        return InstanceRows.of(jdbc.sql("select * from function_instances where version_id = ? order by registered_at, id")
                .param(versionId).query(RegistryRepository::instance).list());
    }

    public InstanceRows findAllInstances() {
        return InstanceRows.of(jdbc.sql("select * from function_instances").query(RegistryRepository::instance).list());
    }

    public int deleteInstances(UUID versionId) {
        return jdbc.sql("delete from function_instances where version_id = ?").param(versionId).update();
    }

    public int deleteInstance(UUID versionId, String id) {
        return jdbc.sql("delete from function_instances where version_id = ? and id = ?").params(versionId, id).update();
    }

    /** Removes self-registered instances whose heartbeat lapsed; returns the versions that lost one. */
    public List<UUID> deleteExpiredInstances(Instant now) {
        List<UUID> versions = jdbc.sql("select distinct version_id from function_instances where expires_at <= ?")
                .param(toDb(now)).query((rs, n) -> rs.getObject(1, UUID.class)).list();
        if (!versions.isEmpty()) {
            jdbc.sql("delete from function_instances where expires_at <= ?").param(toDb(now)).update();
        }
        return versions;
    }

    private static RegisteredFunction function(ResultSet rs, int row) throws SQLException {
        return new RegisteredFunction(rs.getObject("id", UUID.class), rs.getString("name"),
                rs.getString("description"), fromDb(rs, "created_at"));
    }

    private static FunctionVersion version(ResultSet rs, int row) throws SQLException {
        return new FunctionVersion(rs.getObject("id", UUID.class), rs.getObject("function_id", UUID.class),
                VersionStatus.valueOf(rs.getString("status")),
                InferenceProtocol.valueOf(rs.getString("inference_protocol")), rs.getString("inference_url"),
                HealthProtocol.valueOf(rs.getString("health_protocol")), rs.getString("health_uri"),
                rs.getInt("max_request_concurrency"), fromDb(rs, "created_at"));
    }

    /** A usable {@link FunctionInstance}, or an {@link UnusableInstance} when its address cannot be dialled. */
    private static Object instance(ResultSet rs, int row) throws SQLException {
        UUID versionId = rs.getObject("version_id", UUID.class);
        String id = rs.getString("id");
        String address = rs.getString("address");
        WorkerAddress parsed;
        try {
            parsed = WorkerAddress.parse(address);
        } catch (IllegalArgumentException e) {
            return new UnusableInstance(versionId, id, address, e.getMessage());
        }
        return new FunctionInstance(versionId, id, parsed, rs.getBoolean("use_tls"), fromDb(rs, "registered_at"),
                fromDb(rs, "expires_at"));
    }
}

package dev.functiongateway.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.functiongateway.support.Timestamps;
import dev.functiongateway.support.NotFoundException;

/**
 * Every change to functions, versions and instances. Each write runs in one transaction and is followed by a
 * refresh of the {@link RegistryCache}, so the call path sees it at once on this replica. Invalid input fails
 * with {@link IllegalArgumentException} before anything is written.
 */
@Service
public class RegistryService {

    static final int MAX_CONCURRENCY = 1_000_000;
    static final int MAX_TTL_SECONDS = 86_400;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private final RegistryRepository repository;
    private final RegistryCache cache;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final RegistryProperties properties;

    public RegistryService(RegistryRepository repository, RegistryCache cache, TransactionTemplate transactions,
            Clock clock, RegistryProperties properties) {
        this.repository = repository;
        this.cache = cache;
        this.transactions = transactions;
        this.clock = clock;
        this.properties = properties;
    }

    /** A function and one of its versions: the unit the admin API lists. */
    public record FunctionAndVersion(RegisteredFunction function, FunctionVersion version) {
    }

    /** A version with its instances. */
    /** A version with its instances, and the stored instances that routing skips (shown to operators). */
    public record Deployment(RegisteredFunction function, FunctionVersion version, List<FunctionInstance> instances,
            List<UnusableInstance> unusable) {
    }

    public FunctionAndVersion register(String name, String description, VersionSpec spec) {
        requireName(name);
        requireDescription(description);
        RegisteredFunction function = new RegisteredFunction(UUID.randomUUID(), name, description, Timestamps.now(clock));
        FunctionVersion version = newVersion(function.id(), spec);
        write(() -> {
            repository.insert(function);
            repository.insert(version);
            return null;
        });
        return new FunctionAndVersion(function, version);
    }

    public FunctionAndVersion addVersion(UUID functionId, String name, VersionSpec spec) {
        RegisteredFunction function = function(functionId);
        if (name != null && !name.equals(function.name())) {
            throw new IllegalArgumentException("name '" + name + "' differs from the function's name '"
                    + function.name() + "'; leave it out or repeat it");
        }
        FunctionVersion version = newVersion(functionId, spec);
        write(() -> {
            repository.insert(version);
            return null;
        });
        return new FunctionAndVersion(function, version);
    }

    public List<FunctionAndVersion> listAll() {
        List<FunctionAndVersion> all = new ArrayList<>();
        for (RegisteredFunction function : repository.findAllFunctions()) {
            repository.findVersions(function.id()).forEach(v -> all.add(new FunctionAndVersion(function, v)));
        }
        return all;
    }

    public List<FunctionAndVersion> listVersions(UUID functionId) {
        RegisteredFunction function = function(functionId);
        return repository.findVersions(functionId).stream().map(v -> new FunctionAndVersion(function, v)).toList();
    }

    public FunctionAndVersion get(UUID functionId, UUID versionId) {
        return new FunctionAndVersion(function(functionId), version(functionId, versionId));
    }

    /** Changes the fields given (non-null) and the status, when given. */
    public FunctionAndVersion update(UUID functionId, UUID versionId, VersionSpec changes, VersionStatus status) {
        RegisteredFunction function = function(functionId);
        FunctionVersion current = version(functionId, versionId);
        FunctionVersion updated = validated(new FunctionVersion(current.id(), functionId,
                status != null ? status : current.status(),
                orElse(changes.inferenceProtocol(), current.inferenceProtocol()),
                orElse(changes.inferenceUrl(), current.inferenceUrl()),
                orElse(changes.healthProtocol(), current.healthProtocol()),
                orElse(changes.healthUri(), current.healthUri()),
                orElse(changes.maxRequestConcurrency(), current.maxRequestConcurrency()),
                current.createdAt()));
        write(() -> {
            repository.update(updated);
            return null;
        });
        return new FunctionAndVersion(function, updated);
    }

    /** Deletes a version and its instances; the function goes with its last version. */
    public void delete(UUID functionId, UUID versionId) {
        version(functionId, versionId);
        write(() -> {
            repository.deleteVersion(versionId);
            if (repository.findVersions(functionId).isEmpty()) {
                repository.deleteFunction(functionId);
            }
            return null;
        });
    }

    /** Replaces the version's instances with these endpoints and marks it ACTIVE. */
    public Deployment deploy(UUID functionId, UUID versionId, List<String> endpoints, boolean tls,
            Integer maxRequestConcurrency) {
        FunctionVersion current = version(functionId, versionId);
        if (endpoints == null || endpoints.isEmpty()) {
            throw new IllegalArgumentException("endpoints must list at least one host:port");
        }
        if (endpoints.size() > properties.maxEndpointsPerDeployment()) {
            throw new IllegalArgumentException("endpoints may list at most " + properties.maxEndpointsPerDeployment()
                    + " host:port values (gateway.registry.max-endpoints-per-deployment)");
        }
        List<WorkerAddress> addresses = new ArrayList<>();
        for (String endpoint : new LinkedHashSet<>(endpoints)) {
            addresses.add(WorkerAddress.parse(endpoint));
        }
        FunctionVersion deployed = validated(new FunctionVersion(current.id(), functionId, VersionStatus.ACTIVE,
                current.inferenceProtocol(), current.inferenceUrl(), current.healthProtocol(), current.healthUri(),
                orElse(maxRequestConcurrency, current.maxRequestConcurrency()), current.createdAt()));
        Instant now = Timestamps.now(clock);
        List<FunctionInstance> instances = addresses.stream()
                .map(a -> new FunctionInstance(versionId, UUID.randomUUID().toString(), a, tls, now, null))
                .toList();
        write(() -> {
            repository.deleteInstances(versionId);
            instances.forEach(repository::insert);
            repository.update(deployed);
            return null;
        });
        return deployment(functionId, versionId);
    }

    public Deployment deployment(UUID functionId, UUID versionId) {
        RegisteredFunction function = function(functionId);
        FunctionVersion version = version(functionId, versionId);
        Instant now = Timestamps.now(clock);
        InstanceRows rows = repository.findInstances(versionId);
        return new Deployment(function, version, rows.usable().stream().filter(i -> !i.expiredAt(now)).toList(),
                rows.unusable());
    }

    /** Removes every instance and marks the version INACTIVE. */
    public Deployment undeploy(UUID functionId, UUID versionId) {
        RegisteredFunction function = function(functionId);
        FunctionVersion undeployed = version(functionId, versionId).withStatus(VersionStatus.INACTIVE);
        write(() -> {
            repository.deleteInstances(versionId);
            repository.update(undeployed);
            return null;
        });
        return new Deployment(function, undeployed, List.of(), List.of());
    }

    /**
     * Registers or renews a self-registered instance that lapses {@code ttlSeconds} from now unless renewed.
     * An INACTIVE version becomes ACTIVE. Returns true if the instance was new.
     */
    public boolean heartbeat(UUID functionId, UUID versionId, String instanceId, String address, int ttlSeconds,
            boolean tls) {
        FunctionVersion version = version(functionId, versionId);
        if (instanceId == null || !INSTANCE_ID.matcher(instanceId).matches()) {
            throw new IllegalArgumentException("instance id must be 1 to 128 letters, digits, '.', '_', ':' or '-'");
        }
        if (ttlSeconds < 1 || ttlSeconds > MAX_TTL_SECONDS) {
            throw new IllegalArgumentException("ttlSeconds must be from 1 to " + MAX_TTL_SECONDS);
        }
        Instant now = Timestamps.now(clock);
        FunctionInstance instance = new FunctionInstance(versionId, instanceId, WorkerAddress.parse(address), tls, now,
                now.plus(Duration.ofSeconds(ttlSeconds)));
        return write(() -> {
            boolean created = repository.upsert(instance);
            if (version.status() == VersionStatus.INACTIVE) {
                repository.update(version.withStatus(VersionStatus.ACTIVE));
            }
            return created;
        });
    }

    /** Removes one instance at once (a worker shutting down cleanly). */
    public void deregister(UUID functionId, UUID versionId, String instanceId) {
        version(functionId, versionId);
        if (write(() -> repository.deleteInstance(versionId, instanceId)) == 0) {
            throw new NotFoundException("instance " + instanceId + " is not registered for version " + versionId);
        }
    }

    private <T> T write(Supplier<T> work) {
        T result = transactions.execute(status -> work.get());
        cache.refresh();
        return result;
    }

    private RegisteredFunction function(UUID functionId) {
        return repository.findFunction(functionId)
                .orElseThrow(() -> new NotFoundException("function " + functionId + " does not exist"));
    }

    private FunctionVersion version(UUID functionId, UUID versionId) {
        function(functionId);
        return repository.findVersion(functionId, versionId).orElseThrow(
                () -> new NotFoundException("function " + functionId + " has no version " + versionId));
    }

    private FunctionVersion newVersion(UUID functionId, VersionSpec spec) {
        InferenceProtocol protocol = orElse(spec.inferenceProtocol(), InferenceProtocol.GRPC);
        HealthProtocol health = orElse(spec.healthProtocol(),
                protocol == InferenceProtocol.GRPC ? HealthProtocol.GRPC : HealthProtocol.NONE);
        return validated(new FunctionVersion(UUID.randomUUID(), functionId, VersionStatus.INACTIVE, protocol,
                protocol == InferenceProtocol.HTTP ? orElse(spec.inferenceUrl(), "/") : spec.inferenceUrl(), health,
                orElse(spec.healthUri(), health == HealthProtocol.HTTP ? "/health" : ""),
                orElse(spec.maxRequestConcurrency(), 0), Timestamps.now(clock)));
    }

    private static FunctionVersion validated(FunctionVersion v) {
        if (v.inferenceUrl() != null && (!v.inferenceUrl().startsWith("/") || v.inferenceUrl().length() > 1024)) {
            throw new IllegalArgumentException("inferenceUrl must be a path starting with '/', at most 1024 characters");
        }
        if (v.healthUri() != null && v.healthUri().length() > 1024) {
            throw new IllegalArgumentException("health uri must be at most 1024 characters");
        }
        if (v.healthProtocol() == HealthProtocol.HTTP && !v.healthUri().startsWith("/")) {
            throw new IllegalArgumentException("an HTTP health uri must be a path starting with '/'");
        }
        if (v.maxRequestConcurrency() < 0 || v.maxRequestConcurrency() > MAX_CONCURRENCY) {
            throw new IllegalArgumentException("maxRequestConcurrency must be from 0 (unlimited) to " + MAX_CONCURRENCY);
        }
        return v;
    }

    private static void requireName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must be 1 to 128 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit");
        }
    }

    private static void requireDescription(String description) {
        if (description != null && description.length() > 1024) {
            throw new IllegalArgumentException("description must be at most 1024 characters");
        }
    }

    private static <T> T orElse(T value, T fallback) {
        return value != null ? value : fallback;
    }
}

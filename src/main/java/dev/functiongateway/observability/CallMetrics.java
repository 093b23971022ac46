package dev.functiongateway.observability;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.springframework.stereotype.Component;

import dev.functiongateway.auth.AuthFailure;
import dev.functiongateway.registry.RegistryCache;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The per-call metrics of the gRPC proxy. Label values are bounded: a function id not in the registry becomes
 * {@code unknown}, a version not resolved {@code none}, and method names beyond
 * {@code gateway.observability.max-methods-per-function} (or of calls no worker implemented) {@code other}.
 * Message counters are resolved once per call ({@link #meters}) so that a message costs two increments.
 */
@Component
public class CallMetrics {

    static final String UNKNOWN = "unknown";
    static final String NONE = "none";
    static final String OTHER = "other";
    /** Stands for every function id not in the registry, and for none: they share the {@code unknown} series. */
    private static final UUID UNKNOWN_FUNCTION = new UUID(0, 0);
    /** From 1 ms to an hour: unary calls take milliseconds, streams can last hours. */
    private static final Duration[] BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
            Duration.ofHours(1) };

    private final MeterRegistry registry;
    private final RegistryCache functions;
    private final int maxMethodsPerFunction;
    /*
     * Keyed by function id rather than by label, so that a call makes no strings: labels are written only when a
     * meter is registered.
     */
    private final Map<UUID, FunctionMeters> perFunction = new ConcurrentHashMap<>();
    private final Map<UUID, Set<String>> methodsPerFunction = new ConcurrentHashMap<>();
    /** Bounded like the labels: functions in the registry, their versions, 100 methods each, 17 codes. */
    private final Map<CallSeries, Timer> callTimers = new ConcurrentHashMap<>();
    /** The same for the HTTP route: 8 method labels, and the statuses answered (three digits). */
    private final Map<HttpSeries, Timer> httpTimers = new ConcurrentHashMap<>();

    public CallMetrics(MeterRegistry registry, RegistryCache functions, ObservabilityProperties properties) {
        this.registry = registry;
        this.functions = functions;
        this.maxMethodsPerFunction = properties.maxMethodsPerFunction();
    }

    /** Message and byte counters of one function, each way. */
    public record FunctionMeters(Counter requestMessages, Counter requestBytes, Counter responseMessages,
            Counter responseBytes) {
    }

    /** The counters for a call to this function (null or not in the registry: {@code unknown}). */
    public FunctionMeters meters(UUID functionId) {
        return perFunction.computeIfAbsent(known(functionId), id -> new FunctionMeters(
                counter("gateway.grpc.messages", id, "request"), counter("gateway.grpc.bytes", id, "request"),
                counter("gateway.grpc.messages", id, "response"), counter("gateway.grpc.bytes", id, "response")));
    }

    /** Counts a finished call and its duration. */
    public void callEnded(CallRecord call) {
        UUID function = known(call.functionId());
        if ("http".equals(call.listener())) {
            httpRequestEnded(function, call);
            return;
        }
        CallSeries series = new CallSeries(function, function == UNKNOWN_FUNCTION ? null : call.versionId(),
                methodLabel(function, call), call.code());
        // Resolved once per series: building and registering a Timer per call costs more than the call's own work.
        callTimers.computeIfAbsent(series, s -> Timer.builder("gateway.grpc.calls")
                .description("gRPC calls through the proxy, by function, version, method and status code")
                .tag("function_id", label(s.function()))
                .tag("function_version_id", s.version() == null ? NONE : s.version().toString())
                .tag("method", s.method())
                .tag("code", s.code().name())
                .serviceLevelObjectives(BUCKETS)
                .register(registry))
                .record(call.durationNanos(), TimeUnit.NANOSECONDS);
    }

    /** The labels of one {@code gateway.grpc.calls} series; {@code version} null: {@code none}. */
    private record CallSeries(UUID function, UUID version, String method, Status.Code code) {
    }

    /** HTTP methods that become label values as they are; any other is {@code other}. */
    private static final Set<String> HTTP_METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");

    private void httpRequestEnded(UUID function, CallRecord call) {
        int space = call.method().indexOf(' ');
        String method = space < 0 ? call.method() : call.method().substring(0, space);
        HttpSeries series = new HttpSeries(function,
                call.versionId() == null || function == UNKNOWN_FUNCTION ? null : call.versionId(),
                HTTP_METHODS.contains(method) ? method : OTHER, call.httpStatus());
        // Resolved once per series, as for gRPC calls: building a Timer and finding it in the registry on every
        // request was 1.3 % of the HTTP route's CPU (bench/RESULTS.md, session 16).
        httpTimers.computeIfAbsent(series, s -> Timer.builder("gateway.http.requests")
                .description("Requests on the HTTP route, by function, version, HTTP method and status")
                .tag("function_id", label(s.function()))
                .tag("function_version_id", s.version() == null ? NONE : s.version().toString())
                .tag("method", s.method())
                .tag("status", Integer.toString(s.status()))
                .serviceLevelObjectives(BUCKETS)
                .register(registry))
                .record(call.durationNanos(), TimeUnit.NANOSECONDS);
    }

    /** The labels of one {@code gateway.http.requests} series; {@code version} null: {@code none}. */
    private record HttpSeries(UUID function, UUID version, String method, int status) {
    }

    /** A new session was set up: key check, instance choice and queue wait, until it had its worker. */
    public void sessionSetUp(UUID functionId, long nanos, boolean succeeded) {
        Timer.builder("gateway.grpc.session.setup")
                .description("Time to set up a session: key check, instance choice and queue wait")
                .tag("function_id", label(known(functionId)))
                .tag("outcome", succeeded ? "success" : "failure")
                .serviceLevelObjectives(BUCKETS)
                .register(registry)
                .record(Duration.ofNanos(nanos));
    }

    /** A key was refused (authentication) or was not allowed the call (authorization). Never the key itself. */
    public void authFailure(String listener, String reason) {
        Counter.builder("gateway.auth.failures")
                .description("Refused keys (authentication) and refused calls (authorization), by listener and reason")
                .tag("listener", listener)
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    public void authFailure(String listener, AuthFailure failure) {
        authFailure(listener, failure.name().toLowerCase(java.util.Locale.ROOT));
    }

    /** The function id if the registry has it, else {@link #UNKNOWN_FUNCTION}. */
    private UUID known(UUID functionId) {
        return functionId != null && functions.snapshot().function(functionId) != null ? functionId
                : UNKNOWN_FUNCTION;
    }

    private static String label(UUID function) {
        return function == UNKNOWN_FUNCTION ? UNKNOWN : function.toString();
    }

    private String methodLabel(UUID function, CallRecord call) {
        if (!call.reachedWorker() || function == UNKNOWN_FUNCTION) {
            return OTHER;
        }
        Set<String> known = methodsPerFunction.computeIfAbsent(function, f -> ConcurrentHashMap.newKeySet());
        if (known.contains(call.method())) {
            return call.method();
        }
        synchronized (known) {
            if (known.size() >= maxMethodsPerFunction) {
                return OTHER;
            }
            known.add(call.method());
        }
        return call.method();
    }

    private Counter counter(String name, UUID function, String direction) {
        return Counter.builder(name)
                .description(name.endsWith("bytes") ? "Message bytes through the proxy, each way"
                        : "Messages through the proxy, each way")
                .tag("function_id", label(function))
                .tag("direction", direction)
                .register(registry);
    }
}

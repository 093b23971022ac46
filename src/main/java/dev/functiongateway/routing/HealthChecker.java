package dev.functiongateway.routing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;

import dev.functiongateway.registry.FunctionVersion;
import dev.functiongateway.registry.HealthProtocol;
import dev.functiongateway.support.LogSafe;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;

/**
 * Active health checks: every {@code gateway.routing.health-interval} each worker of a version with a health
 * protocol is asked {@code grpc.health.v1.Health/Check} (or an HTTP GET), with its own deadline. A new worker
 * is checked at once. Checks run asynchronously on the workers' own channels; nothing here blocks.
 */
@Component
public class HealthChecker implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);
    private static final long TICK_MILLIS = 200;
    /** Longest health-check error kept for the admin view. */
    private static final int MAX_ERROR_LENGTH = 300;

    private final WorkerDirectory directory;
    private final RoutingProperties properties;
    private final RoutingMetrics metrics;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().build();

    public HealthChecker(WorkerDirectory directory, RoutingProperties properties, RoutingMetrics metrics,
            Clock clock) {
        this.directory = directory;
        this.properties = properties;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void afterPropertiesSet() {
        directory.timer().scheduleWithFixedDelay(this::checkDue, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void checkDue() {
        long now = System.nanoTime();
        for (Worker worker : directory.all()) {
            if (worker.retired() || now - worker.nextCheckNanos() < 0) {
                continue;
            }
            worker.scheduleNextCheck(now + properties.healthInterval().toNanos());
            check(worker).whenComplete((failure, error) -> record(worker,
                    error != null ? "health check failed: " + error : failure));
        }
    }

    /** Runs one check; completes with null when it passed, else with why it failed. */
    private CompletableFuture<String> check(Worker worker) {
        FunctionVersion version = worker.version();
        return switch (version.healthProtocol()) {
            case NONE -> CompletableFuture.completedFuture(null);
            case GRPC -> grpcCheck(worker, version.healthUri());
            case HTTP -> httpCheck(worker, version.healthUri());
        };
    }

    private CompletableFuture<String> grpcCheck(Worker worker, String service) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Futures.addCallback(HealthGrpc.newFutureStub(worker.channel())
                .withDeadlineAfter(properties.healthTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service == null ? "" : service).build()),
                new FutureCallback<HealthCheckResponse>() {
                    @Override
                    public void onSuccess(HealthCheckResponse response) {
                        result.complete(response.getStatus() == HealthCheckResponse.ServingStatus.SERVING ? null
                                : "grpc.health.v1 status " + response.getStatus());
                    }

                    @Override
                    public void onFailure(Throwable t) {
                        Status status = Status.fromThrowable(t);
                        result.complete("grpc.health.v1 call failed: " + status.getCode()
                                + (status.getDescription() == null ? "" : " " + status.getDescription()));
                    }
                }, MoreExecutors.directExecutor());
        return result;
    }

    private CompletableFuture<String> httpCheck(Worker worker, String path) {
        URI uri = URI.create((worker.instance().tls() ? "https://" : "http://") + worker.instance().address() + path);
        return http.sendAsync(HttpRequest.newBuilder(uri).timeout(properties.healthTimeout()).GET().build(),
                HttpResponse.BodyHandlers.discarding())
                .thenApply(r -> r.statusCode() / 100 == 2 ? (String) null
                        : "HTTP GET " + path + " answered " + r.statusCode())
                .exceptionally(e -> "HTTP GET " + path + " failed: " + (e.getCause() != null ? e.getCause() : e));
    }

    private void record(Worker worker, String failure) {
        boolean passed = failure == null;
        // A version with health protocol NONE is never really checked: it shows no check time.
        if (worker.version().healthProtocol() != HealthProtocol.NONE) {
            worker.noteCheck(clock.instant(), failure == null ? null : LogSafe.escape(failure, MAX_ERROR_LENGTH));
        }
        if (worker.recordCheck(passed, properties.healthyThreshold(), properties.unhealthyThreshold())) {
            log.info("Worker {} is now {}", worker, passed ? "healthy" : "unhealthy");
            if (passed) {
                FunctionPool pool = directory.pool(worker.version().functionId());
                if (pool != null) {
                    pool.serveQueue();
                }
            }
        }
    }

    /** A call found the worker unreachable: take it out now rather than at the next check. */
    public void reportUnreachable(Worker worker) {
        metrics.connectFailure(worker);
        if (worker.markUnreachable()) {
            log.warn("Worker {} is unreachable; out until it passes a health check", worker);
        }
    }
}

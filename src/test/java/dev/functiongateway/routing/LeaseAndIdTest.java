package dev.functiongateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.functiongateway.registry.FunctionInstance;
import dev.functiongateway.registry.FunctionVersion;
import dev.functiongateway.registry.HealthProtocol;
import dev.functiongateway.registry.InferenceProtocol;
import dev.functiongateway.registry.VersionStatus;
import dev.functiongateway.registry.WorkerAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The slot lease and the session id codec, on their own: no server, no network. */
class LeaseAndIdTest {

    private static final Duration WAIT = Duration.ofMinutes(1);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final UUID functionId = UUID.randomUUID();
    private final FunctionVersion version = new FunctionVersion(UUID.randomUUID(), functionId, VersionStatus.ACTIVE,
            InferenceProtocol.GRPC, null, HealthProtocol.NONE, null, 1, Instant.now());
    private final FunctionPool pool = new FunctionPool(functionId, 10, timer,
            new RoutingMetrics(new SimpleMeterRegistry()));

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private Worker worker(String id, int port) {
        return new Worker(new FunctionInstance(version.id(), id, new WorkerAddress("127.0.0.1", port), false,
                Instant.now(), null), version, null, true);
    }

    @Test
    void aLeaseClosedWhileWaitingLeavesTheQueueAndFreesNothing() throws Exception {
        Worker worker = worker("a", 1);
        pool.replaceWorkers(java.util.List.of(worker));
        Lease held = pool.lease(w -> true, null, WAIT);
        assertThat(held.granted().get(1, TimeUnit.SECONDS)).isSameAs(worker);
        Lease waiting = pool.lease(w -> true, null, WAIT);
        assertThat(pool.queueDepth(null)).isEqualTo(1);

        waiting.close();
        waiting.close();
        assertThat(pool.queueDepth(null)).isZero();
        assertThat(waiting.granted()).isCompletedExceptionally();
        assertThat(worker.sessions()).as("the held slot is still held").isEqualTo(1);

        held.close();
        held.close();
        assertThat(worker.sessions()).as("released exactly once").isZero();
        Lease next = pool.lease(w -> true, null, WAIT);
        assertThat(next.granted().get(1, TimeUnit.SECONDS)).isSameAs(worker);
    }

    @Test
    void cancellingTheGrantedCopyDoesNotEndTheLease() throws Exception {
        Worker worker = worker("a", 1);
        pool.replaceWorkers(java.util.List.of(worker));
        Lease held = pool.lease(w -> true, null, WAIT);
        Lease waiting = pool.lease(w -> true, null, WAIT);
        CompletableFuture<Worker> copy = waiting.granted();
        copy.cancel(false);
        assertThat(pool.queueDepth(null)).isEqualTo(1);
        held.close();
        assertThat(waiting.granted().get(1, TimeUnit.SECONDS)).isSameAs(worker);
        waiting.close();
        assertThat(worker.sessions()).isZero();
    }

    @Test
    void aReturningSessionTakesItsWorkersNextSlotBeforeNewSessions() throws Exception {
        Worker worker = worker("a", 1);
        pool.replaceWorkers(java.util.List.of(worker));
        Lease held = pool.lease(w -> true, null, WAIT);
        Lease newcomer = pool.lease(w -> true, null, WAIT);
        Lease returning = pool.submit(pool.pendingLeaseOn(worker, null), WAIT);
        assertThat(pool.queueDepth(null)).isEqualTo(2);

        held.close();
        assertThat(returning.granted().get(1, TimeUnit.SECONDS)).isSameAs(worker);
        assertThat(newcomer.granted()).isNotDone();
        returning.close();
        assertThat(newcomer.granted().get(1, TimeUnit.SECONDS)).isSameAs(worker);
        newcomer.close();
    }

    @Test
    void aReturningSessionNeverMovesToAnotherWorker() throws Exception {
        Worker busy = worker("a", 1);
        Worker idle = worker("b", 2);
        pool.replaceWorkers(java.util.List.of(busy, idle));
        Lease held = pool.lease(w -> w == busy, null, WAIT);
        Lease returning = pool.submit(pool.pendingLeaseOn(busy, null), Duration.ofMillis(50));
        assertThat(returning.granted()).failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOf(RoutingException.class)
                .withMessageContaining("stayed busy")
                .withMessageNotContaining("127.0.0.1");
        assertThat(idle.sessions()).isZero();
        held.close();
    }

    /** The refusal's description reaches the client: it says which session's worker, never where it runs. */
    @Test
    void aReturningSessionWhoseWorkerIsGoneIsRefusedWithoutItsAddress() {
        Worker gone = worker("a", 1);
        pool.replaceWorkers(java.util.List.of(gone, worker("b", 2)));
        gone.markUnreachable();
        Lease returning = pool.submit(pool.pendingLeaseOn(gone, null), WAIT);
        assertThat(returning.granted()).failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOf(RoutingException.class)
                .withMessageContaining("the session's worker of function")
                .withMessageNotContaining("127.0.0.1");
    }

    @Test
    void anIdCarriesItsBindingAndRejectsTampering() {
        byte[] secret = new byte[32];
        SessionIds ids = new SessionIds(secret);
        Worker worker = worker("instance-1", 9000);
        UUID keyId = UUID.randomUUID();
        Instant issued = Instant.ofEpochSecond(1_800_000_000L);
        String id = ids.mint(functionId, worker, keyId, issued);

        UUID uuid = UUID.fromString(id);
        assertThat(uuid.version()).as("a custom (version 8) UUID").isEqualTo(8);
        assertThat(uuid.variant()).isEqualTo(2);
        assertThat(ids.mint(functionId, worker, keyId, issued)).as("a nonce keeps ids apart").isNotEqualTo(id);
        SessionIds.Decoded decoded = ids.decode(id);
        assertThat(decoded.issuedAt()).isEqualTo(issued);
        assertThat(decoded.keyDigest()).isEqualTo(SessionIds.keyDigest(keyId));
        assertThat(decoded.instanceDigest()).isEqualTo(SessionIds.instanceDigest(worker));
        assertThat(ids.verifies(decoded, functionId, worker, keyId)).isTrue();
        assertThat(ids.verifies(decoded, functionId, worker, UUID.randomUUID())).as("another key").isFalse();
        assertThat(ids.verifies(decoded, UUID.randomUUID(), worker, keyId)).as("another function").isFalse();
        assertThat(ids.verifies(decoded, functionId, worker("instance-2", 9001), keyId)).as("another worker")
                .isFalse();
        assertThat(new SessionIds(new byte[] { 1 }).verifies(decoded, functionId, worker, keyId))
                .as("another deployment's secret").isFalse();

        for (int bit = 0; bit < 128; bit++) {
            UUID flipped = bit < 64
                    ? new UUID(uuid.getMostSignificantBits() ^ 1L << bit, uuid.getLeastSignificantBits())
                    : new UUID(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits() ^ 1L << (bit - 64));
            SessionIds.Decoded tampered = ids.decode(flipped.toString());
            assertThat(tampered == null || !ids.verifies(tampered, functionId, worker, keyId)).as("bit %d", bit)
                    .isTrue();
        }
        for (String malformed : new String[] { null, "", "x", UUID.randomUUID().toString(), id + "0",
                id.substring(1), id.toUpperCase().replace('-', '+') }) {
            assertThat(ids.decode(malformed)).as(malformed).isNull();
        }
    }

    @Test
    void aWaitingLeaseThatTimesOutIsRefusedAndLeavesTheQueue() throws Exception {
        Worker worker = worker("a", 1);
        pool.replaceWorkers(java.util.List.of(worker));
        Lease held = pool.lease(w -> true, null, WAIT);
        Lease waiting = pool.lease(w -> true, null, Duration.ofMillis(20));
        assertThat(waiting.granted()).failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOf(RoutingException.class);
        assertThat(pool.queueDepth(null)).isZero();
        waiting.close();
        held.close();
        assertThat(worker.sessions()).isZero();
    }
}

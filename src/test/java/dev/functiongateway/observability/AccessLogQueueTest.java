package dev.functiongateway.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.grpc.Status;

/**
 * Access lines are written on the thread {@code access-log}; none is lost when the queue is full, when a line
 * fails, or at close.
 */
class AccessLogQueueTest {

    /** Which thread wrote each request id's line. */
    private final Map<String, String> writtenBy = new ConcurrentHashMap<>();

    private static CallRecord call(int n) {
        return new CallRecord("req-" + n, null, null, null, "a.B/C", Status.Code.OK, 1, 0, 0, 0, 0, null, null, true);
    }

    private void record(CallRecord call) {
        writtenBy.put(call.requestId(), Thread.currentThread().getName());
    }

    @Test
    void linesAreWrittenOnTheAccessLogThread() throws Exception {
        CountDownLatch all = new CountDownLatch(100);
        try (AccessLogQueue queue = new AccessLogQueue(call -> {
            record(call);
            all.countDown();
        })) {
            IntStream.range(0, 100).forEach(n -> queue.add(call(n)));
            assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(writtenBy).hasSize(100).allSatisfy((id, thread) -> assertThat(thread).isEqualTo("access-log"));
    }

    @Test
    void aFullQueueWritesOnTheCallersThreadAndCloseWritesTheRest() throws Exception {
        CountDownLatch writerStuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AccessLogQueue queue = new AccessLogQueue(call -> {
            if (call.requestId().equals("req-0")) {
                writerStuck.countDown();
                await(release);
            }
            record(call);
        });
        queue.add(call(0));
        assertThat(writerStuck.await(10, TimeUnit.SECONDS)).isTrue();
        // The writer is stuck on req-0 (a blocked console): the next CAPACITY lines wait, the one after is
        // written by the thread that ended its call.
        int overflow = AccessLogQueue.CAPACITY + 1;
        for (int n = 1; n <= overflow; n++) {
            queue.add(call(n));
        }
        assertThat(writtenBy).containsOnlyKeys("req-" + overflow)
                .containsEntry("req-" + overflow, Thread.currentThread().getName());
        release.countDown();
        queue.close();
        assertThat(writtenBy).hasSize(overflow + 1);
        // After close, a call's line is written at once, by its own thread.
        queue.add(call(overflow + 1));
        assertThat(writtenBy).containsEntry("req-" + (overflow + 1), Thread.currentThread().getName());
    }

    @Test
    void aLineThatFailsDoesNotStopTheOthers() throws Exception {
        List<String> written = new CopyOnWriteArrayList<>();
        try (AccessLogQueue queue = new AccessLogQueue(call -> {
            if (call.requestId().equals("req-1")) {
                throw new IllegalStateException("console gone");
            }
            written.add(call.requestId());
        })) {
            IntStream.range(0, 3).forEach(n -> queue.add(call(n)));
        }
        assertThat(written).containsExactly("req-0", "req-2");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

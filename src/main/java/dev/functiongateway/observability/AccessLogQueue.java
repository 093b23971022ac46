package dev.functiongateway.observability;

import java.util.ArrayList;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ended calls waiting for their access lines, which the thread {@code access-log} writes in batches: every
 * {@value #PAUSE_MILLIS} ms while calls keep ending, at once when {@value #WAKE_AT} wait, and within that pause of
 * the first call after a quiet spell. Formatting a line on the thread that ended the call cost that thread more than
 * the line's own work, ~8 µs a call in all against ~2.5 µs in its frames (bench/RESULTS.md, session 5): a line's
 * code and data, cold after each call, pushed the proxy's out of the caches. In a batch they stay warm, and the
 * event loops only queue a record. Lines carry the time and thread of their writing, up to a pause after the
 * call ended (the call's own time is in {@code duration_ms}).
 *
 * <p>No line is lost: when {@value #CAPACITY} calls wait (the console is stuck, say) the thread that ended a call
 * writes its line itself, and {@link #close} writes what is waiting. Threading: {@link #add} on any thread, lock-free
 * but for the queue's own lock; the rest on {@code access-log}.
 */
final class AccessLogQueue implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AccessLogQueue.class);

    static final int CAPACITY = 16_384;
    static final int WAKE_AT = CAPACITY / 4;
    static final long PAUSE_MILLIS = 10;

    private final ArrayBlockingQueue<CallRecord> waiting = new ArrayBlockingQueue<>(CAPACITY);
    private final Consumer<CallRecord> writer;
    private final Thread thread;
    /** The writer thread is parked until a call ends (no timeout): the next {@link #add} wakes it. */
    private volatile boolean idle;
    private volatile boolean closed;

    AccessLogQueue(Consumer<CallRecord> writer) {
        this.writer = writer;
        this.thread = new Thread(this::run, "access-log");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues the call's line; writes it on this thread if the queue is full or closed. */
    void add(CallRecord call) {
        if (closed || !waiting.offer(call)) {
            write(call);
            return;
        }
        if (closed) {
            // close() may have written what was waiting before this call was queued.
            writeWaiting();
        } else if (idle || waiting.size() >= WAKE_AT) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        while (!closed) {
            idle = true;
            if (waiting.isEmpty() && !closed) {
                LockSupport.park(this);
            }
            idle = false;
            // Let the calls that end meanwhile join this batch; WAKE_AT waiting cuts the pause short.
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(PAUSE_MILLIS));
            writeWaiting();
        }
    }

    private void writeWaiting() {
        ArrayList<CallRecord> batch = new ArrayList<>();
        while (waiting.drainTo(batch, CAPACITY) > 0) {
            batch.forEach(this::write);
            batch.clear();
        }
    }

    private void write(CallRecord call) {
        try {
            writer.accept(call);
        } catch (RuntimeException e) {
            // One line that cannot be written does not stop the others.
            log.warn("Could not write an access line: {}", e.getClass().getName());
        }
    }

    /** Writes every line still waiting, on this thread; later calls write their own. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writeWaiting();
    }
}

package dev.functiongateway.observability;

import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.LoggerFactory;
import org.springframework.boot.ansi.AnsiColor;
import org.springframework.boot.ansi.AnsiOutput;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Writes the access log's console lines in batches: at most {@code gateway.observability.access-log-flush-interval}
 * (default 1 s) after a line was logged, or when {@value #BUFFER_BYTES} bytes are waiting, in one write each,
 * instead of one {@code write(2)} per call — that system call was half of what the access line cost a small call
 * (bench/RESULTS.md, session 5). The writes are made by a thread of their own, {@code access-log-flush}: the thread
 * that logs a line only copies it into the batch; before, every ~75th call's event loop wrote a full batch to
 * stdout itself, blocking I/O that held up its other calls (session 6). Envoy's access logs are buffered the same
 * way by default; nginx's with {@code buffer=} and {@code flush=}.
 *
 * <p>It takes over only the console appender that Spring Boot configures ({@code CONSOLE}), with that appender's
 * own encoder (pattern or structured format; a pattern with its per-line constants worked out once,
 * {@link AccessLinePattern}) and filters, so a line looks exactly as it did; other appenders (a
 * {@code logging.file.name} file, an operator's own logback configuration) get access lines as before, line by
 * line. Other console lines are not delayed. Each batch holds whole lines and goes out in one write to the same
 * {@code System.out} the console appender writes to, so lines never interleave; batches go out in order. What is
 * waiting is written when logging stops (Spring Boot stops it after the application context has closed, at
 * shutdown); a JVM that is killed loses at most one interval of access lines. When {@value #MAX_READY} full batches
 * wait (a console that does not take them), the logging thread waits, as it waited on such a console before: no
 * line is dropped.
 *
 * <p>Threading: {@code append}, and so {@link Batches#write}, run on the thread that ended a call, under logback's
 * stream lock, which also guards the batch being filled; the flush thread writes the full batches, and takes the one
 * being filled under that lock once the interval has passed.
 */
final class AccessLogBuffer extends OutputStreamAppender<ILoggingEvent> {

    static final String NAME = "ACCESS_LOG_CONSOLE";
    static final int BUFFER_BYTES = 32 * 1024;
    static final int MAX_READY = 32;
    /** The console appender of Spring Boot's default logback configuration. */
    private static final String CONSOLE = "CONSOLE";

    private final Duration flushInterval;
    private final boolean toStandardError;

    private AccessLogBuffer(Duration flushInterval, boolean toStandardError) {
        this.flushInterval = flushInterval;
        this.toStandardError = toStandardError;
    }

    /**
     * Routes the console lines of {@code accessLogger} through a buffer, if Spring Boot's console appender is
     * there and it has not been done for this logging configuration yet; otherwise leaves logging as it is.
     */
    static void install(org.slf4j.Logger accessLogger, Duration flushInterval) {
        if (!(accessLogger instanceof Logger logger) || logger.getAppender(NAME) != null
                || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Appender<ILoggingEvent> root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender(CONSOLE);
        if (!(root instanceof ConsoleAppender<ILoggingEvent> console) || console.getEncoder() == null) {
            return;
        }
        AccessLogBuffer buffer = new AccessLogBuffer(flushInterval, "System.err".equals(console.getTarget()));
        buffer.setContext(context);
        buffer.setName(NAME);
        buffer.setEncoder(encoder(console, context));
        console.getCopyOfAttachedFiltersList().forEach(buffer::addFilter);
        buffer.setImmediateFlush(false);
        buffer.setOutputStream(buffer.new Batches());
        buffer.start();
        logger.addAppender(buffer);
        // The access logger stays additive, so other appenders still get its lines; only the console's copy is
        // left to the buffer.
        String name = logger.getName();
        console.addFilter(new Filter<>() {
            @Override
            public FilterReply decide(ILoggingEvent event) {
                return name.equals(event.getLoggerName()) ? FilterReply.DENY : FilterReply.NEUTRAL;
            }
        });
    }

    /**
     * The console's encoder, or, when it renders a pattern that {@link AccessLinePattern} can make cheaper, a copy of
     * it with that pattern: the same text per line. Colour is what Spring Boot's {@code %clr} would print: on when
     * {@link AnsiOutput} is enabled (a terminal, or {@code spring.output.ansi.enabled=always}).
     */
    private static Encoder<ILoggingEvent> encoder(ConsoleAppender<ILoggingEvent> console, LoggerContext context) {
        if (!(console.getEncoder() instanceof PatternLayoutEncoder own)) {
            return console.getEncoder();
        }
        boolean colour = !AnsiOutput.toString(AnsiColor.DEFAULT, "").isEmpty();
        String pattern = AccessLinePattern.resolve(own.getPattern(), colour, AccessLinePattern.properties(context));
        if (pattern == null) {
            return own;
        }
        PatternLayoutEncoder cheaper = new PatternLayoutEncoder();
        cheaper.setContext(context);
        cheaper.setPattern(pattern);
        cheaper.setCharset(own.getCharset());
        cheaper.start();
        return cheaper.isStarted() && cheaper.getLayout().isStarted() ? cheaper : own;
    }

    /**
     * The lines waiting: the batch being filled, and full batches in order for the flush thread. Closing it (logback
     * does, when the appender stops) stops that thread and writes everything still waiting, on the closing thread.
     */
    private final class Batches extends OutputStream {

        private final BlockingQueue<byte[]> ready = new ArrayBlockingQueue<>(MAX_READY);
        /** Guarded by logback's stream lock. */
        private final byte[] filling = new byte[BUFFER_BYTES];
        /** Guarded by logback's stream lock. */
        private int filled;
        private final Thread flusher = new Thread(this::flushLoop, "access-log-flush");
        private volatile boolean closed;

        Batches() {
            flusher.setDaemon(true);
            flusher.start();
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        /** Called under logback's stream lock. */
        @Override
        public void write(byte[] bytes, int offset, int length) {
            if (closed) {
                console().write(bytes, offset, length);
                return;
            }
            if (filled + length > filling.length) {
                handOff(true);
            }
            if (length > filling.length) {
                enqueue(Arrays.copyOfRange(bytes, offset, offset + length), true);
            } else {
                System.arraycopy(bytes, offset, filling, filled, length);
                filled += length;
            }
        }

        /** Queues the batch being filled, unless it is empty, or the queue is full and {@code wait} is false. */
        private void handOff(boolean wait) {
            if (filled > 0 && enqueue(Arrays.copyOf(filling, filled), wait)) {
                filled = 0;
            }
        }

        private boolean enqueue(byte[] batch, boolean wait) {
            if (!wait) {
                return ready.offer(batch);
            }
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        ready.put(batch);
                        return true;
                    } catch (InterruptedException e) {
                        // A line is never dropped; the interrupt is kept for the thread's own code.
                        interrupted = true;
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private void flushLoop() {
            long interval = flushInterval.toNanos();
            long due = System.nanoTime() + interval;
            try {
                while (!closed) {
                    byte[] batch = ready.poll(Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (batch != null) {
                        send(batch, batch.length);
                    } else {
                        // The interval has passed: the batch being filled goes out too, unless a logging thread holds
                        // the lock (it may be waiting for this thread to make room) or no room is left; then later.
                        if (streamWriteLock.tryLock()) {
                            try {
                                handOff(false);
                            } finally {
                                streamWriteLock.unlock();
                            }
                        }
                        due = System.nanoTime() + interval;
                    }
                }
            } catch (InterruptedException e) {
                // close() stops this thread and writes what is left itself.
            }
        }

        private void send(byte[] batch, int length) {
            PrintStream console = console();
            console.write(batch, 0, length);
            console.flush();
        }

        /** Stops the flush thread and writes every line still waiting; called under logback's stream lock. */
        @Override
        public void close() {
            closed = true;
            flusher.interrupt();
            try {
                flusher.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (byte[] batch = ready.poll(); batch != null; batch = ready.poll()) {
                send(batch, batch.length);
            }
            if (filled > 0) {
                send(filling, filled);
                filled = 0;
            }
        }

        /**
         * Today's {@code System.out} (or {@code System.err}), looked up at each write as logback's console target
         * does, so that a replaced stream (output capture) gets the lines. The process's standard output itself is
         * never closed.
         */
        private PrintStream console() {
            return toStandardError ? System.err : System.out;
        }
    }
}

package dev.functiongateway.observability;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Writes the access log's console lines in batches: at most {@code gateway.observability.access-log-flush-interval}
 * (default 1 s) after a line was logged, or when {@value #BUFFER_BYTES} bytes are waiting, in one write each,
 * instead of one {@code write(2)} per call — that system call was half of what the access line cost a small call
 * (bench/RESULTS.md, session 5). Envoy's access logs are buffered the same way by default; nginx's with
 * {@code buffer=} and {@code flush=}.
 *
 * <p>It takes over only the console appender that Spring Boot configures ({@code CONSOLE}), with that appender's
 * own encoder (pattern or structured format) and filters, so a line looks exactly as it did; other appenders (a
 * {@code logging.file.name} file, an operator's own logback configuration) get access lines as before, line by
 * line. Other console lines are not delayed. Each batch holds whole lines and goes out in one write to the same
 * {@code System.out} the console appender writes to, so lines never interleave. What is waiting is written when
 * logging stops (Spring Boot stops it after the application context has closed, at shutdown); a JVM that is
 * killed loses at most one interval of access lines.
 *
 * <p>Threading: {@code append} runs on the thread that ended a call, under logback's stream lock; the timer's
 * flush runs on a thread of its own; the {@link BufferedOutputStream} orders both.
 */
final class AccessLogBuffer extends OutputStreamAppender<ILoggingEvent> {

    static final String NAME = "ACCESS_LOG_CONSOLE";
    static final int BUFFER_BYTES = 32 * 1024;
    /** The console appender of Spring Boot's default logback configuration. */
    private static final String CONSOLE = "CONSOLE";

    private final Duration flushInterval;
    private final boolean toStandardError;
    private ScheduledExecutorService flusher;

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
        buffer.setEncoder(console.getEncoder());
        console.getCopyOfAttachedFiltersList().forEach(buffer::addFilter);
        buffer.setImmediateFlush(false);
        buffer.setOutputStream(new BufferedOutputStream(buffer.new Console(), BUFFER_BYTES));
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

    @Override
    public void start() {
        super.start();
        flusher = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "access-log-flush");
            thread.setDaemon(true);
            return thread;
        });
        long nanos = flushInterval.toNanos();
        flusher.scheduleWithFixedDelay(this::flush, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    /** Flushes what is waiting and stops the timer; called when logging stops or is configured again. */
    @Override
    public void stop() {
        if (flusher != null) {
            flusher.shutdownNow();
        }
        super.stop();
    }

    private void flush() {
        try {
            getOutputStream().flush();
        } catch (IOException | RuntimeException e) {
            addError("could not write access log lines", e);
        }
    }

    /**
     * Today's {@code System.out} (or {@code System.err}), looked up at each write as logback's console target
     * does, so that a replaced stream (output capture) gets the lines. Closing it only flushes: the process's
     * standard output stays open.
     */
    private final class Console extends OutputStream {

        private PrintStream target() {
            return toStandardError ? System.err : System.out;
        }

        @Override
        public void write(int b) {
            target().write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            target().write(bytes, offset, length);
        }

        @Override
        public void flush() {
            target().flush();
        }

        @Override
        public void close() {
            flush();
        }
    }
}

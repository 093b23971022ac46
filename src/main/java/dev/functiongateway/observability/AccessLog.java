package dev.functiongateway.observability;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;
import org.springframework.stereotype.Component;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;

import dev.functiongateway.support.LogSafe;
import io.grpc.Status;

/**
 * One line per gRPC call, and per request on the HTTP route, at its end, on the logger
 * {@code dev.functiongateway.access}: request id, client, function, version, method, status, duration, bytes each
 * way, key id and trace id. The key itself never
 * appears. Called on the thread that ended the call; writes nothing when the logger is off.
 *
 * <p>The same facts also go out as key-value pairs named after the Elastic Common Schema, which structured
 * logging ({@code logging.structured.format.console=ecs}) prints as fields: {@code client.address},
 * {@code client.port}, {@code client.bytes} (request message bytes), {@code server.bytes} (response message
 * bytes), {@code event.duration} (nanoseconds), {@code event.outcome}, {@code trace.id}, and the gateway's own
 * facts under {@code labels.*}. Absent values are left out rather than written as null. They are built only when
 * some appender may print them ({@link #keyValuesPrinted}).
 *
 * <p>On the console the lines go out in batches ({@link AccessLogBuffer}), up to
 * {@code gateway.observability.access-log-flush-interval} after the call ended.
 */
@Component
public class AccessLog {

    private static final Logger log = LoggerFactory.getLogger("dev.functiongateway.access");
    private static final int MAX_METHOD = 200;

    private final boolean enabled;
    /** Whether any appender prints the line's key-value pairs; building them was a seventh of the line's cost. */
    private final boolean keyValues;

    public AccessLog(ObservabilityProperties properties) {
        this.enabled = properties.accessLog();
        Duration flushInterval = properties.accessLogFlushInterval();
        if (enabled && !flushInterval.isZero() && !flushInterval.isNegative()) {
            AccessLogBuffer.install(log, flushInterval);
        }
        this.keyValues = keyValuesPrinted(log);
    }

    public void callEnded(CallRecord call) {
        if (!enabled || !log.isInfoEnabled()) {
            return;
        }
        // The method comes from the request's :path: bounded, and control characters escaped so that no request
        // can start a forged log line.
        String method = LogSafe.escape(call.method().length() > MAX_METHOD ? call.method().substring(0, MAX_METHOD)
                : call.method());
        boolean http = "http".equals(call.listener());
        String status = http ? Integer.toString(call.httpStatus()) : call.code().name();
        boolean success = http ? call.httpStatus() < 400 : call.code() == Status.Code.OK;
        // Each id is made a string once, for both the message and its key-value pair; the message is written
        // here rather than by a "{}" format, which parsed the format and boxed every number on every call.
        String function = orNull(call.functionId());
        String version = orNull(call.versionId());
        String key = orNull(call.keyId());
        SocketAddress client = call.clientAddress();
        // 512: a gRPC line with its four UUIDs is 330-400 characters; from 320 it grew (a copy) on every call.
        String message = new StringBuilder(512).append(call.listener())
                .append(" nvcf-reqid=").append(orDash(call.requestId()))
                .append(" client=").append(client)
                .append(" function=").append(orDash(function))
                .append(" version=").append(orDash(version))
                .append(" method=").append(method)
                .append(" status=").append(status)
                .append(" duration_ms=").append(TimeUnit.NANOSECONDS.toMillis(call.durationNanos()))
                .append(" request_bytes=").append(call.requestBytes())
                .append(" response_bytes=").append(call.responseBytes())
                .append(" key_id=").append(orDash(key))
                .append(" trace_id=").append(orDash(call.traceId()))
                .toString();
        if (!keyValues) {
            log.info(message);
            return;
        }
        LoggingEventBuilder line = log.atInfo();
        if (client instanceof InetSocketAddress inet) {
            line = line.addKeyValue("client.address", inet.getAddress() != null
                    ? inet.getAddress().getHostAddress() : inet.getHostString())
                    .addKeyValue("client.port", inet.getPort());
        } else if (client != null) {
            line = line.addKeyValue("client.address", client.toString());
        }
        line = line.addKeyValue("client.bytes", call.requestBytes())
                .addKeyValue("server.bytes", call.responseBytes())
                .addKeyValue("event.duration", call.durationNanos())
                .addKeyValue("event.outcome", success ? "success" : "failure")
                .addKeyValue("labels.listener", call.listener())
                .addKeyValue(http ? "labels.http_request" : "labels.grpc_method", method)
                .addKeyValue(http ? "labels.http_status" : "labels.grpc_status", status);
        line = withOptional(line, "trace.id", call.traceId());
        line = withOptional(line, "labels.nvcf_reqid", call.requestId());
        line = withOptional(line, "labels.function_id", function);
        line = withOptional(line, "labels.function_version_id", version);
        line = withOptional(line, "labels.key_id", key);
        line.log(message);
    }

    /**
     * False only if every appender that gets the logger's lines is logback's and renders a pattern without
     * key-value pairs ({@code %kvp}): Spring Boot's default console and file patterns. Structured formats, other
     * encoders and appenders, and other logging systems get them. Read once: Spring Boot sets appenders up when
     * logging starts, before this bean exists.
     */
    static boolean keyValuesPrinted(Logger logger) {
        if (!(logger instanceof ch.qos.logback.classic.Logger logback)) {
            return true;
        }
        LoggerContext context = logback.getLoggerContext();
        for (String name = logback.getName(); name != null; name = parentName(name)) {
            ch.qos.logback.classic.Logger at = context.exists(name);
            if (at == null) {
                continue;
            }
            for (Iterator<Appender<ILoggingEvent>> appenders = at.iteratorForAppenders(); appenders.hasNext();) {
                if (!(appenders.next() instanceof OutputStreamAppender<ILoggingEvent> stream)
                        || !(stream.getEncoder() instanceof LayoutWrappingEncoder<ILoggingEvent> encoder)
                        || !(encoder.getLayout() instanceof PatternLayout pattern)
                        || pattern.getPattern() == null || pattern.getPattern().contains("kvp")) {
                    return true;
                }
            }
            if (!at.isAdditive()) {
                return false;
            }
        }
        return false;
    }

    /** The name of the logger above this one: {@code a.b} for {@code a.b.c}, the root's for {@code a}, then null. */
    private static String parentName(String name) {
        if (Logger.ROOT_LOGGER_NAME.equals(name)) {
            return null;
        }
        int dot = name.lastIndexOf('.');
        return dot < 0 ? Logger.ROOT_LOGGER_NAME : name.substring(0, dot);
    }

    private static LoggingEventBuilder withOptional(LoggingEventBuilder line, String key, String value) {
        return value == null ? line : line.addKeyValue(key, value);
    }

    private static String orNull(Object value) {
        return value == null ? null : value.toString();
    }

    /** Absent values print as '-', as in common access-log formats. */
    private static String orDash(String value) {
        return value == null ? "-" : value;
    }
}

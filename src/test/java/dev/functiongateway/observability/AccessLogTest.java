package dev.functiongateway.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.Status;

/**
 * The access line keeps request data on its own line: a method name cannot start a forged log line; and its
 * key-value pairs are built whenever an appender may print them.
 */
@ExtendWith(OutputCaptureExtension.class)
class AccessLogTest {

    @Test
    void controlCharactersInTheMethodAreEscaped(CapturedOutput output) {
        String forged = "2026-01-01T00:00:00.000Z ERROR 1 --- [main] o.s.boot.SpringApplication : forged";
        new AccessLog(new ObservabilityProperties(true, Duration.ZERO, 100)).callEnded(new CallRecord(null,
                new InetSocketAddress("127.0.0.1", 5000), UUID.randomUUID(), null, "a.B/C\n" + forged + "\r\u0007",
                Status.Code.UNIMPLEMENTED, 1_000_000, 0, 0, 0, 0, null, null, false));
        assertThat(output.getOut()).contains("method=a.B/C\\n2026-01-01T00:00:00.000Z ERROR")
                .contains("forged\\r\\u0007 status=UNIMPLEMENTED")
                .doesNotContainPattern("(?m)^2026-01-01T00:00:00.000Z ERROR");
    }

    @Test
    void keyValuesAreBuiltUnlessEveryAppenderPrintsAPatternWithoutThem() {
        LoggerContext context = new LoggerContext();
        Logger access = context.getLogger("dev.functiongateway.access");
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(console(context, "%d %5p [%t] %logger : %m%n"));
        assertThat(AccessLog.keyValuesPrinted(access)).isFalse();

        Logger parent = context.getLogger("dev.functiongateway");
        parent.addAppender(console(context, "%m %kvp%n"));
        assertThat(AccessLog.keyValuesPrinted(access)).isTrue();

        access.setAdditive(false);
        assertThat(AccessLog.keyValuesPrinted(access)).isFalse();
        access.addAppender(new ListAppender<>());
        assertThat(AccessLog.keyValuesPrinted(access)).isTrue();
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext context, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setEncoder(encoder);
        return appender;
    }
}

package dev.functiongateway.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.grpc.Status;

/** The access line keeps request data on its own line: a method name cannot start a forged log line. */
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
}

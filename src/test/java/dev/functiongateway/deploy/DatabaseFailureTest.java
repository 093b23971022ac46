package dev.functiongateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.functiongateway.support.RunningGateway;

/**
 * A gateway whose database cannot be opened says so in a short report (what, and what to do), with no stack trace
 * and without the URL's parameters, which may hold credentials.
 */
@ExtendWith(OutputCaptureExtension.class)
class DatabaseFailureTest {

    @Test
    void aDatabaseThatRefusesTheConnectionIsReportedInAFewLines(CapturedOutput output) throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/gateway?password=never-printed";
        assertThatThrownBy(() -> RunningGateway.application().run(
                "--spring.datasource.url=" + url, "--spring.datasource.username=gateway",
                "--server.port=0", "--management.server.port=0", "--gateway.proxy.port=0"))
                .isNotNull();
        assertThat(output.getOut())
                .contains("APPLICATION FAILED TO START")
                .contains("The gateway could not open its database, jdbc:postgresql://127.0.0.1:" + closedPort
                        + "/gateway: Connection to 127.0.0.1:" + closedPort + " refused")
                .contains("check that the server named in spring.datasource.url runs")
                .doesNotContain("never-printed")
                .doesNotContain("\tat ");
    }
}

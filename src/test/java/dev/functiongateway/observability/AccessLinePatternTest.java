package dev.functiongateway.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.springframework.boot.logging.logback.ColorConverter;
import org.springframework.boot.logging.logback.EnclosedInSquareBracketsConverter;
import org.springframework.boot.logging.logback.ExtendedWhitespaceThrowableProxyConverter;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.pattern.DynamicConverter;

/**
 * The access line's cheaper pattern prints exactly what the console's pattern prints: rendered side by side, on
 * Spring Boot's own converters.
 */
class AccessLinePatternTest {

    /** Spring Boot 4.1's default console pattern (its logback {@code defaults.xml}), resolved as at start-up. */
    private static final String CONSOLE = "%clr(%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX}){faint} %clr(%5p){}"
            + " %clr(4242){magenta} %clr(--- %esb(){APPLICATION_NAME}%esb{APPLICATION_GROUP}[%15.15t] ){faint}"
            + "%clr(%-40.40logger{39}){cyan} %clr(:){faint} %m%n%wEx";

    @Test
    void printsWhatTheConsolePatternPrints() {
        // null: the context has no name, and %esb looks at the JVM's system property (set by any Spring Boot
        // application that ran in this JVM before), as the cheaper pattern does.
        for (String name : new String[] {null, "", "function-gateway", "50% (odd) \\ name"}) {
            LoggerContext context = context(name);
            String cheaper = AccessLinePattern.resolve(CONSOLE, false, AccessLinePattern.properties(context));
            assertThat(cheaper).doesNotContain("%clr", "%esb");
            String expected = name != null ? name : System.getProperty("APPLICATION_NAME");
            assertThat(render(context, cheaper)).isEqualTo(render(context, CONSOLE))
                    .contains("INFO 4242 --- " + (expected == null || expected.isEmpty() ? "" : "[" + expected + "] ")
                            + "[  access-thread] dev.functiongateway.access               : grpc status=OK");
        }
    }

    @Test
    void keepsColourWhenTheConsolePrintsIt() {
        String cheaper = AccessLinePattern.resolve(CONSOLE, true,
                name -> "APPLICATION_NAME".equals(name) ? "gw" : null);
        assertThat(cheaper).contains("%clr(%5p){}").contains("%clr(--- [gw] [%15.15t] ){faint}");
    }

    @Test
    void leavesPatternsItCannotWorkOutAlone() {
        assertThat(AccessLinePattern.resolve("%d %m%n", false, name -> "gw")).isNull();
        assertThat(AccessLinePattern.resolve("%esb(%t){X} %m%n", false, name -> "gw")).isNull();
        assertThat(AccessLinePattern.resolve("%clr(%m%n", false, name -> "gw")).isNull();
        assertThat(AccessLinePattern.resolve("%esb{X} %m%n", false, name -> "{gw}")).isNull();
    }

    private static LoggerContext context(String applicationName) {
        LoggerContext context = new LoggerContext();
        Map<String, Supplier<DynamicConverter<?>>> rules = new HashMap<>();
        rules.put("clr", ColorConverter::new);
        rules.put("esb", EnclosedInSquareBracketsConverter::new);
        rules.put("wEx", ExtendedWhitespaceThrowableProxyConverter::new);
        context.putObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS, rules);
        if (applicationName != null) {
            context.putProperty("APPLICATION_NAME", applicationName);
        }
        return context;
    }

    private static String render(LoggerContext context, String pattern) {
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.setPattern(pattern);
        layout.start();
        assertThat(layout.isStarted()).isTrue();
        LoggingEvent event = new LoggingEvent("fqcn", context.getLogger("dev.functiongateway.access"), Level.INFO,
                "grpc status=OK", null, null);
        event.setThreadName("access-thread");
        event.setTimeStamp(1_790_000_000_123L);
        return layout.doLayout(event);
    }
}

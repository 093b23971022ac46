package dev.functiongateway.config;

import java.sql.SQLException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

/**
 * A start that fails because the database cannot be reached or opened, the most common way a start fails (another
 * gateway holds the H2 file, PostgreSQL is down or refuses the credentials), told as Spring Boot's short "APPLICATION
 * FAILED TO START" report, what happened and what to do, instead of some 160 lines of stack traces. Failures
 * inside a database that opened (a migration's SQL) are not this one's and keep their trace. Registered in
 * {@code META-INF/spring.factories}; Spring Boot creates it with the application's environment.
 */
public final class DatabaseFailureAnalyzer extends AbstractFailureAnalyzer<SQLException> {

    private static final String DEFAULT_URL = "the built-in H2 file";

    private final Environment environment;

    public DatabaseFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, SQLException cause) {
        if (!cannotOpen(cause)) {
            return null;
        }
        return new FailureAnalysis("The gateway could not open its database, "
                + withoutParameters(environment.getProperty("spring.datasource.url", DEFAULT_URL)) + ": "
                + cause.getMessage(),
                "If another gateway runs on the same H2 file (./data by default), stop it, or give this one a file of"
                        + " its own with spring.datasource.url. For PostgreSQL, check that the server named in"
                        + " spring.datasource.url runs and can be reached from here, and that"
                        + " spring.datasource.username and spring.datasource.password are right.",
                cause);
    }

    /**
     * True for the SQL states of a database that could not be opened: connection exceptions (class 08), refused
     * credentials (28), an unknown database (3D000), and H2's "database may be already in use" (90020).
     */
    private static boolean cannotOpen(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.startsWith("28") || state.equals("3D000")
                || state.equals("90020"));
    }

    /** The URL without its parameters ({@code ?...} or H2's {@code ;...}), which may hold credentials. */
    private static String withoutParameters(String url) {
        int end = url.length();
        for (char separator : new char[] { '?', ';' }) {
            int at = url.indexOf(separator);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        return url.substring(0, end);
    }
}

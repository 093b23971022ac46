package dev.functiongateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.test.context.DynamicPropertyRegistry;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * One real PostgreSQL server for the whole test run (started on first use, stopped with the JVM), and a fresh
 * database in it for each caller, so tests never see each other's rows.
 */
public final class TestPostgres {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres server;

    private TestPostgres() {
    }

    /**
     * Points the Spring context at a new empty database. Connection timeouts are short because the server and
     * the test contexts are both stopped by JVM shutdown hooks, in no set order: a context closing after the
     * server would otherwise wait Hikari's default 30 s for a connection.
     */
    public static void useNewDatabase(DynamicPropertyRegistry registry) {
        RunningGateway.postgres(newDatabase()).forEach((key, value) -> registry.add(key, () -> value));
    }

    /** Creates an empty database and returns its JDBC URL (user {@code postgres}, no password). */
    public static synchronized String newDatabase() {
        String name = "gateway_" + DATABASES.incrementAndGet();
        try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return server().getJdbcUrl("postgres", name);
    }

    private static EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
            }
            EmbeddedPostgres started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException ignored) {
                    // The JVM is going away; the data directory is temporary.
                }
            }));
        }
        return server;
    }
}

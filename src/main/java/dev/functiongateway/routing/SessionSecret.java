package dev.functiongateway.routing;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.Optional;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The secret that signs session ids, shared by every replica through the database: the first replica to start
 * creates it (32 random bytes), the others read it. Read once at start, never on the call path. Two replicas
 * starting together both try to insert; the primary key lets one win and the other reads the winner's.
 */
@Configuration(proxyBeanMethods = false)
class SessionSecret {

    private static final String NAME = "session-id";

    @Bean
    SessionIds sessionIds(JdbcClient jdbc, Clock clock) {
        return new SessionIds(Base64.getDecoder().decode(readOrCreate(jdbc, clock)));
    }

    private static String readOrCreate(JdbcClient jdbc, Clock clock) {
        Optional<String> existing = read(jdbc);
        if (existing.isPresent()) {
            return existing.get();
        }
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        try {
            jdbc.sql("insert into gateway_secrets (name, secret, created_at) values (?, ?, ?)")
                    .params(NAME, Base64.getEncoder().encodeToString(secret), OffsetDateTime.now(clock))
                    .update();
        } catch (DuplicateKeyException raced) {
            // Another replica created it first: use theirs.
        }
        return read(jdbc).orElseThrow();
    }

    private static Optional<String> read(JdbcClient jdbc) {
        return jdbc.sql("select secret from gateway_secrets where name = ?").param(NAME).query(String.class)
                .optional();
    }
}

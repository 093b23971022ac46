package dev.functiongateway.http;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Repository;

/**
 * Results of long-running HTTP calls in the database ({@code poll_results}), so that any replica can answer a
 * poll. A row is written when a call is answered 202 ({@code in-progress}) and again when the worker's response
 * is in ({@code done}); it lives {@code gateway.http.result-ttl} from then. Blocking (JDBC): callers on an event
 * loop must move to another scheduler.
 */
@Repository
class PollResults {

    private static final Logger log = LoggerFactory.getLogger(PollResults.class);
    static final String IN_PROGRESS = "in-progress";
    static final String DONE = "done";

    /** A stored result; {@code httpStatus}, {@code contentType} and {@code body} are null while in progress. */
    record Result(UUID keyId, String state, Integer httpStatus, String contentType, byte[] body) {
    }

    private final JdbcClient jdbc;
    private final Clock clock;
    private final HttpRouteProperties properties;

    PollResults(JdbcClient jdbc, Clock clock, HttpRouteProperties properties) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.properties = properties;
    }

    void started(String requestId, UUID keyId) {
        OffsetDateTime now = OffsetDateTime.now(clock);
        jdbc.sql("insert into poll_results (request_id, key_id, state, created_at, expires_at) values (?, ?, ?, ?, ?)")
                .params(requestId, keyId, IN_PROGRESS, now, now.plus(properties.resultTtl()))
                .update();
    }

    void done(String requestId, int httpStatus, String contentType, byte[] body) {
        jdbc.sql("update poll_results set state = ?, http_status = ?, content_type = ?, body = ?, expires_at = ?"
                        + " where request_id = ?")
                .params(DONE, httpStatus, contentType, body, OffsetDateTime.now(clock).plus(properties.resultTtl()),
                        requestId)
                .update();
    }

    /** The unexpired result with this id, if any. */
    Optional<Result> find(String requestId) {
        return jdbc.sql("select key_id, state, http_status, content_type, body from poll_results"
                        + " where request_id = ? and expires_at > ?")
                .params(requestId, OffsetDateTime.now(clock))
                .query((rs, row) -> new Result(rs.getObject(1, UUID.class), rs.getString(2),
                        (Integer) rs.getObject(3), rs.getString(4), rs.getBytes(5)))
                .optional();
    }

    /** Every replica sweeps expired rows once a minute; a missed sweep only keeps rows a little longer. */
    @Scheduled(fixedDelay = 60_000, initialDelay = 60_000)
    void deleteExpired() {
        try {
            jdbc.sql("delete from poll_results where expires_at <= ?").param(OffsetDateTime.now(clock)).update();
        } catch (RuntimeException e) {
            log.warn("Could not delete expired poll results: {}", e.getMessage());
        }
    }
}

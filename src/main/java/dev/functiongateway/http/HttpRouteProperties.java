package dev.functiongateway.http;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code gateway.http.*}: the HTTP route's long-running calls ({@code POST /v2/nvcf/pexec/functions/...} answered
 * 202, then polled at {@code GET /v2/nvcf/pexec/status/{requestId}}).
 *
 * @param pollWait      how long a pexec call waits for the worker before answering 202 when the client sent no
 *                      {@code NVCF-POLL-SECONDS}; default 60 s
 * @param maxPollWait   the largest {@code NVCF-POLL-SECONDS} accepted (the smallest is 1 s); default 3600 s
 * @param resultMaxSize the largest worker response kept for polling; a larger one is stored as an error that
 *                      says so, never cut short; default 10 MB
 * @param resultTtl     how long a polled result (or an in-progress marker) is kept in the database; default 1 h
 */
@ConfigurationProperties("gateway.http")
public record HttpRouteProperties(
        @DefaultValue("60s") Duration pollWait,
        @DefaultValue("3600s") Duration maxPollWait,
        @DefaultValue("10MB") DataSize resultMaxSize,
        @DefaultValue("1h") Duration resultTtl) {
}

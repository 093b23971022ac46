package dev.functiongateway.proxy;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code gateway.proxy.*}: the gRPC proxy listener and its connections to workers.
 *
 * @param address                   the interface the listener binds to; unset: all interfaces
 * @param port                      the listener's TCP port; 0 picks a free one (published as
 *                                  {@code local.gateway.proxy.port}); default 10081
 * @param ssl                       TLS on the listener; plaintext (h2c) unless {@code ssl.bundle} names an SSL bundle
 * @param idleTimeout               a client connection with no call in flight for this long is closed, which also
 *                                  ends its sessions; default 30 s (the seed's idle time)
 * @param drainTime                 at shutdown, how long calls in flight may run before they are ended with
 *                                  UNAVAILABLE; default 30 s
 * @param maxConcurrentStreams      calls one client connection may have open at once, advertised in SETTINGS;
 *                                  further streams are refused (REFUSED_STREAM); default 256
 * @param maxCallsPerSession        calls in flight on one session (so on one worker slot); more are refused with
 *                                  RESOURCE_EXHAUSTED, so that one connection cannot monopolise a worker that other
 *                                  sessions share; default 100
 * @param streamWindow              HTTP/2 flow-control window of each stream, both towards clients and workers:
 *                                  the most bytes of one call, each way, that the gateway holds; default 1 MiB
 * @param connectionWindow          HTTP/2 flow-control window of each connection; default 16 MiB
 * @param maxFrameSize              the largest HTTP/2 frame the gateway accepts (SETTINGS_MAX_FRAME_SIZE); larger
 *                                  frames mean fewer frames per message; default 64 KiB
 * @param maxHeaderListSize         the most metadata one call may carry each way (its request headers from the client,
 *                                  its response headers or trailers from the worker), as HTTP/2 counts it (each
 *                                  name and value, plus 32 bytes per entry); a call over it ends with
 *                                  RESOURCE_EXHAUSTED and the connection's other calls go on. Only a header block
 *                                  over ten times it (before decompression) closes the connection (GOAWAY): the
 *                                  codec's limit, eight times this, is what SETTINGS_MAX_HEADER_LIST_SIZE advertises;
 *                                  default 8 KiB, gRPC's own default
 * @param maxResetsPerWindow        RST_STREAM frames a client may send per {@code resetWindow} before its
 *                                  connection is closed with GOAWAY ENHANCE_YOUR_CALM (rapid reset, CVE-2023-44487);
 *                                  default 200
 * @param resetWindow               see {@code maxResetsPerWindow}; default 30 s
 * @param upstreamConnectTimeout    how long a connection to a worker may take to open; default 5 s
 * @param upstreamKeepaliveTime     while calls are in flight, a worker connection silent this long gets a PING; if
 *                                  it stays silent as long again it is closed and its calls end with UNAVAILABLE;
 *                                  default 10 s
 * @param eventLoopThreads          threads that run both client and worker connections (a call's two halves run on
 *                                  one of them, without locks); 0 means one per available processor; default 0
 */
@ConfigurationProperties("gateway.proxy")
public record ProxyProperties(
        String address,
        @DefaultValue("10081") int port,
        @DefaultValue Ssl ssl,
        @DefaultValue("30s") Duration idleTimeout,
        @DefaultValue("30s") Duration drainTime,
        @DefaultValue("256") int maxConcurrentStreams,
        @DefaultValue("100") int maxCallsPerSession,
        @DefaultValue("1MB") DataSize streamWindow,
        @DefaultValue("16MB") DataSize connectionWindow,
        @DefaultValue("64KB") DataSize maxFrameSize,
        @DefaultValue("8KB") DataSize maxHeaderListSize,
        @DefaultValue("200") int maxResetsPerWindow,
        @DefaultValue("30s") Duration resetWindow,
        @DefaultValue("5s") Duration upstreamConnectTimeout,
        @DefaultValue("10s") Duration upstreamKeepaliveTime,
        @DefaultValue("0") int eventLoopThreads) {

    /**
     * TLS on the listener.
     *
     * @param bundle     an SSL bundle ({@code spring.ssl.bundle.*}) with the listener's certificate; unset: plaintext
     * @param clientAuth whether clients must present a certificate the bundle's truststore accepts: NONE, OPTIONAL
     *                   or REQUIRE (mutual TLS); default NONE
     */
    public record Ssl(String bundle, @DefaultValue("NONE") ClientAuth clientAuth) {

        boolean enabled() {
            return bundle != null && !bundle.isBlank();
        }
    }

    /** Client certificates on the listener. */
    public enum ClientAuth {
        NONE, OPTIONAL, REQUIRE
    }
}

package dev.functiongateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.Arrays;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.google.protobuf.InvalidProtocolBufferException;
import com.code_intelligence.jazzer.junit.FuzzTest;

import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.netty.handler.codec.http2.DefaultHttp2Headers;

/**
 * Fuzzes the gRPC header values the proxy reads from clients and workers or writes itself: {@code grpc-timeout}
 * (read from every call, and written when the gateway shortens a deadline), {@code grpc-status} (read from every
 * worker's trailers) and the percent-encoded {@code grpc-message}; and the one request body the gateway reads
 * itself, its own health check's. Without {@code JAZZER_FUZZ} it replays the
 * seeds under {@code GrpcWireFuzzTestInputs}; see {@code scripts/fuzz.sh}.
 */
class GrpcWireFuzzTest {

    private static final Pattern TIMEOUT = Pattern.compile("[0-9]{1,8}[HMSmun]");
    private static final Map<Character, Long> UNIT_NANOS = Map.of('H', TimeUnit.HOURS.toNanos(1),
            'M', TimeUnit.MINUTES.toNanos(1), 'S', TimeUnit.SECONDS.toNanos(1), 'm', TimeUnit.MILLISECONDS.toNanos(1),
            'u', TimeUnit.MICROSECONDS.toNanos(1), 'n', 1L);

    /**
     * Any {@code grpc-timeout} value: never an exception; a timeout exactly when the value is 1–8 digits and a
     * unit, and then the value's nanoseconds (at most Long.MAX_VALUE); -2 otherwise. And any deadline the gateway
     * writes reads back as no shorter than it is, and longer by less than one of its unit.
     */
    @FuzzTest
    void timeouts(FuzzedDataProvider data) {
        if (data.consumeBoolean()) {
            long nanos = data.consumeLong(0, Long.MAX_VALUE);
            String written = GrpcWire.timeoutValue(nanos);
            assertThat(written).matches(TIMEOUT);
            long read = GrpcWire.timeoutNanos(written);
            assertThat(read).isGreaterThanOrEqualTo(nanos);
            assertThat(BigInteger.valueOf(read).subtract(BigInteger.valueOf(nanos)))
                    .isLessThan(BigInteger.valueOf(UNIT_NANOS.get(written.charAt(written.length() - 1))));
            return;
        }
        String value = data.consumeRemainingAsString();
        long read = GrpcWire.timeoutNanos(value);
        if (!TIMEOUT.matcher(value).matches()) {
            assertThat(read).as(value).isEqualTo(-2);
            return;
        }
        BigInteger expected = new BigInteger(value.substring(0, value.length() - 1))
                .multiply(BigInteger.valueOf(UNIT_NANOS.get(value.charAt(value.length() - 1))))
                .min(BigInteger.valueOf(Long.MAX_VALUE));
        assertThat(read).as(value).isEqualTo(expected.longValueExact());
    }

    /**
     * Any {@code grpc-status} value a worker sends: never an exception, always a code, the one it names if any.
     * Any description the gateway writes as {@code grpc-message}: printable ASCII only (a valid header value), and
     * percent-decoding gives its UTF-8 back.
     */
    @FuzzTest
    void statusHeaders(FuzzedDataProvider data) {
        String status = data.consumeString(20);
        // Not validated here, to reach the parsing with any value at all.
        Status.Code code = GrpcWire.statusCode(new DefaultHttp2Headers(false).set(GrpcWire.GRPC_STATUS, status));
        assertThat(code).isNotNull();
        if (status.matches("[0-9]|1[0-6]")) {
            assertThat(code.value()).isEqualTo(Integer.parseInt(status));
        }
        String message = data.consumeRemainingAsString();
        String encoded = GrpcWire.percentEncode(message);
        assertThat(encoded.chars()).allMatch(c -> c >= ' ' && c <= '~');
        assertThat(percentDecode(encoded)).isEqualTo(new String(message.getBytes(StandardCharsets.UTF_8),
                StandardCharsets.UTF_8));
    }

    /**
     * Any request body a client sends to the gateway's own health check: one {@code HealthCheckRequest} whose
     * 5-byte prefix says "not compressed" and its exact length, or an {@code InvalidProtocolBufferException} (the
     * client is told INVALID_ARGUMENT); never another exception. A request a gRPC client frames reads back as sent.
     */
    @FuzzTest
    void healthCheckRequests(FuzzedDataProvider data) throws InvalidProtocolBufferException {
        if (data.consumeBoolean()) {
            String service = data.consumeRemainingAsString();
            byte[] framed = GrpcWire.framed(HealthCheckRequest.newBuilder().setService(service).build().toByteArray());
            assertThat(GatewayHealthAnswer.parse(framed).getService()).isEqualTo(service);
            return;
        }
        byte[] body = data.consumeRemainingAsBytes();
        try {
            GatewayHealthAnswer.parse(body);
        } catch (InvalidProtocolBufferException refused) {
            return;
        }
        assertThat(body[0]).isZero();
        assertThat(new BigInteger(1, Arrays.copyOfRange(body, 1, 5)).intValueExact())
                .isEqualTo(body.length - 5);
    }

    private static String percentDecode(String encoded) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%') {
                bytes.write(Integer.parseInt(encoded.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}

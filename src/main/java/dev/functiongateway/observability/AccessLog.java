package dev.functiongateway.observability;

import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * One line per gRPC call, and per request on the HTTP route, at its end, on the logger {@code dev.functiongateway.access}: request id, client,
 * function, version, method, status, duration, bytes each way, key id and trace id. The key itself never
 * appears. The same fields go out as key-value pairs, which structured (JSON) logging prints as fields.
 */
@Component
public class AccessLog {

    private static final Logger log = LoggerFactory.getLogger("dev.functiongateway.access");
    private static final int MAX_METHOD = 200;

    private final boolean enabled;

    public AccessLog(ObservabilityProperties properties) {
        this.enabled = properties.accessLog();
    }

    public void callEnded(CallRecord call) {
        if (!enabled || !log.isInfoEnabled()) {
            return;
        }
        String method = call.method().length() > MAX_METHOD ? call.method().substring(0, MAX_METHOD) : call.method();
        long millis = TimeUnit.NANOSECONDS.toMillis(call.durationNanos());
        Object status = "http".equals(call.listener()) ? call.httpStatus() : call.code();
        log.atInfo()
                .addKeyValue("listener", call.listener())
                .addKeyValue("nvcf_reqid", call.requestId())
                .addKeyValue("client", call.clientAddress())
                .addKeyValue("function_id", call.functionId())
                .addKeyValue("function_version_id", call.versionId())
                .addKeyValue("method", method)
                .addKeyValue("status", status)
                .addKeyValue("duration_ms", millis)
                .addKeyValue("request_bytes", call.requestBytes())
                .addKeyValue("response_bytes", call.responseBytes())
                .addKeyValue("key_id", call.keyId())
                .addKeyValue("trace_id", call.traceId())
                .log("{} nvcf-reqid={} client={} function={} version={} method={} status={} duration_ms={}"
                        + " request_bytes={} response_bytes={} key_id={} trace_id={}", call.listener(),
                        orDash(call.requestId()), call.clientAddress(), orDash(call.functionId()),
                        orDash(call.versionId()), method, status, millis, call.requestBytes(), call.responseBytes(),
                        orDash(call.keyId()), orDash(call.traceId()));
    }

    /** Absent values print as '-', as in common access-log formats. */
    private static Object orDash(Object value) {
        return value == null ? "-" : value;
    }
}

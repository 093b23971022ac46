package dev.functiongateway.observability;

import org.springframework.stereotype.Component;

/** Where a finished call goes: the call metrics and the access log. */
@Component
public class CallObserver {

    private final CallMetrics metrics;
    private final AccessLog accessLog;

    public CallObserver(CallMetrics metrics, AccessLog accessLog) {
        this.metrics = metrics;
        this.accessLog = accessLog;
    }

    public CallMetrics metrics() {
        return metrics;
    }

    public void callEnded(CallRecord call) {
        metrics.callEnded(call);
        accessLog.callEnded(call);
    }
}

package dev.functiongateway.registry;

/** Lifecycle of a function version. Only {@link #ACTIVE} and {@link #DEGRADED} versions take calls. */
public enum VersionStatus {
    INACTIVE, DEPLOYING, ACTIVE, DEGRADED, ERROR;

    public boolean servesCalls() {
        return this == ACTIVE || this == DEGRADED;
    }
}

package dev.functiongateway.support;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * The highest value a gauge takes while this is open, sampled without pause on a thread of its own (to catch
 * short peaks such as bytes buffered for a moment). Close it, then read {@link #max()}.
 */
public final class GaugePeak implements AutoCloseable {

    private final AtomicLong max = new AtomicLong();
    private final AtomicBoolean sampling = new AtomicBoolean(true);
    private final Thread sampler;

    public GaugePeak(MeterRegistry meters, String gauge) {
        sampler = new Thread(() -> {
            while (sampling.get()) {
                max.accumulateAndGet((long) meters.get(gauge).gauge().value(), Math::max);
                Thread.onSpinWait();
            }
        }, "gauge-peak");
        sampler.start();
    }

    public long max() {
        return max.get();
    }

    @Override
    public void close() throws InterruptedException {
        sampling.set(false);
        sampler.join();
    }
}

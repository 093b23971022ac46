package dev.functiongateway.proxy;

import java.io.InputStream;

import io.grpc.MethodDescriptor;

/**
 * Hands grpc-java's message stream through as it is: no parsing, no copy into a byte array. The stream is
 * only valid during the {@code onMessage} callback that delivers it, so the proxy sends it on from there.
 */
enum PassThroughMarshaller implements MethodDescriptor.Marshaller<InputStream> {
    INSTANCE;

    @Override
    public InputStream stream(InputStream value) {
        return value;
    }

    @Override
    public InputStream parse(InputStream stream) {
        return stream;
    }
}

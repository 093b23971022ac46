package dev.functiongateway.proxy;

import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;

/**
 * Builds the proxy's two {@link Http2ConnectionHandler}s (towards clients and towards workers) on Netty's
 * builder, which wires the codec's protections: rapid-reset and empty-frame limits, and, towards workers, the
 * buffering of streams beyond the worker's SETTINGS_MAX_CONCURRENT_STREAMS. Threading: one builder per handler,
 * used by the thread that makes the connection's pipeline.
 */
final class Http2Handlers<T extends Http2ConnectionHandler>
        extends AbstractHttp2ConnectionHandlerBuilder<T, Http2Handlers<T>> {

    /** Makes the handler from the codec; the handler sets its own frame listener on the decoder. */
    interface Factory<T> {
        T create(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings);
    }

    private static final int ALLOCATION_QUANTUM = 64 * 1024;
    /**
     * The codec's header-list limit, advertised in SETTINGS, over the gateway's own
     * ({@code gateway.proxy.max-header-list-size}), which the gateway applies per call: a header list between the
     * two ends that call alone, with RESOURCE_EXHAUSTED. At the codec's limit Netty refuses the stream itself, and
     * a header block a quarter over it (before decompression) is a connection error: a connection's other calls are
     * lost only to a peer that sends ten times the gateway's limit. It bounds what one header block may cost in
     * memory (the block is held until complete, its decoded list until checked).
     */
    private static final int CODEC_HEADER_LIST_FACTOR = 8;

    private final Factory<T> factory;

    private Http2Handlers(Factory<T> factory) {
        this.factory = factory;
    }

    /** The handler of a client connection: the listener's side. */
    static <T extends Http2ConnectionHandler> T forClients(ProxyProperties properties, Factory<T> factory) {
        Http2Handlers<T> builder = new Http2Handlers<>(factory);
        builder.connection(connection(true));
        builder.initialSettings(Http2Settings.defaultSettings()
                .maxConcurrentStreams(properties.maxConcurrentStreams())
                .initialWindowSize((int) properties.streamWindow().toBytes())
                .maxFrameSize((int) properties.maxFrameSize().toBytes())
                .maxHeaderListSize(codecHeaderListSize(properties)));
        builder.decoderEnforceMaxRstFramesPerWindow(properties.maxResetsPerWindow(),
                (int) properties.resetWindow().toSeconds());
        builder.gracefulShutdownTimeoutMillis(0);
        return builder.build();
    }

    /** The handler of a connection to a worker. */
    static <T extends Http2ConnectionHandler> T forWorkers(ProxyProperties properties, Factory<T> factory) {
        Http2Handlers<T> builder = new Http2Handlers<>(factory);
        builder.connection(connection(false));
        builder.initialSettings(Http2Settings.defaultSettings()
                .pushEnabled(false)
                .initialWindowSize((int) properties.streamWindow().toBytes())
                .maxFrameSize((int) properties.maxFrameSize().toBytes())
                .maxHeaderListSize(codecHeaderListSize(properties)));
        builder.encoderEnforceMaxConcurrentStreams(true);
        builder.gracefulShutdownTimeoutMillis(0);
        return builder.build();
    }

    /**
     * A connection whose outbound DATA is shared evenly among its streams, each taking its share of what the
     * connection can send in one pass, and at least 64 KiB. Netty's default distributor weighs streams by HTTP/2
     * priority, which gRPC does not use, in turns of 1 KiB: with several large calls on one connection every
     * frame would carry 1 KiB, and each frame costs as much to write as 16 KiB of payload.
     */
    private static Http2Connection connection(boolean server) {
        Http2Connection connection = new DefaultHttp2Connection(server);
        UniformStreamByteDistributor distributor = new UniformStreamByteDistributor(connection);
        distributor.minAllocationChunk(ALLOCATION_QUANTUM);
        connection.remote().flowController(new DefaultHttp2RemoteFlowController(connection, distributor));
        return connection;
    }

    private static long codecHeaderListSize(ProxyProperties properties) {
        return properties.maxHeaderListSize().toBytes() * CODEC_HEADER_LIST_FACTOR;
    }

    /** True if Netty's HTTP/2 codec handles this error itself (protocol errors: RST_STREAM or GOAWAY). */
    static boolean isHttp2Exception(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof Http2Exception) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected T build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
        return factory.create(decoder, encoder, settings);
    }
}

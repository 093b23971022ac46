package dev.functiongateway.proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2LocalFlowController;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * Backpressure by HTTP/2 flow control. The proxy tells the codec that it has processed a DATA frame's bytes only
 * once the other side's connection has written them; until then the sender's window shrinks and it stops. So
 * each call holds at most one stream window of bytes each way, whatever its message sizes. Threading: called on
 * the connection's event loop only (the codec's rule).
 */
final class FlowWindows {

    private static final Logger log = LoggerFactory.getLogger(FlowWindows.class);
    /** The connection window every HTTP/2 connection starts with (RFC 9113, 6.9.2). */
    private static final int INITIAL_CONNECTION_WINDOW = 65_535;

    private FlowWindows() {
    }

    /** Opens the connection-level window to {@code gateway.proxy.connection-window} (a WINDOW_UPDATE on stream 0). */
    static void raiseConnectionWindow(Http2ConnectionHandler handler, ProxyProperties properties) throws Http2Exception {
        int increment = (int) properties.connectionWindow().toBytes() - INITIAL_CONNECTION_WINDOW;
        if (increment > 0) {
            handler.decoder().flowController().incrementWindowSize(handler.connection().connectionStream(), increment);
        }
    }

    /**
     * Returns the window of bytes now written to the other side. A stream that has closed meanwhile needs
     * nothing: the codec gives a closed stream's unconsumed bytes back to the connection window itself.
     */
    static void consume(Http2ConnectionHandler handler, int streamId, int bytes) {
        Http2Stream stream = handler.connection().stream(streamId);
        if (stream == null) {
            return;
        }
        Http2LocalFlowController flow = handler.decoder().flowController();
        try {
            flow.consumeBytes(stream, Math.min(bytes, flow.unconsumedBytes(stream)));
        } catch (Http2Exception e) {
            log.debug("Returning {} bytes of stream {} failed: {}", bytes, streamId, e.toString());
        }
    }
}

package dev.functiongateway.proxy;

import dev.functiongateway.proxy.api.DescribeResponse;
import dev.functiongateway.proxy.api.GatewayInfoGrpc;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/**
 * The gateway's own service on the listener, {@code GatewayInfo/Describe}: answered here, needing no key and no
 * function-id. Every other method name is a function's, but for health checks that name no function
 * ({@link GatewayHealthAnswer}). Threading: the client connection's event loop.
 */
final class GatewayInfoAnswer {

    private static final AsciiString PATH = AsciiString.cached("/" + GatewayInfoGrpc.getDescribeMethod().getFullMethodName());
    /** The whole answer as one gRPC message (5-byte prefix and the encoded response), made once. */
    private static final byte[] MESSAGE = GrpcWire.framed(DescribeResponse.newBuilder().setName("function-gateway")
            .setVersion(version()).build().toByteArray());

    private GatewayInfoAnswer() {
    }

    static boolean handles(Http2Headers requestHeaders) {
        return PATH.contentEquals(requestHeaders.path());
    }

    /** Answers on the stream; the request's DATA, if any, is read and dropped by the connection. */
    static void answer(ClientConnection client, int streamId) {
        client.answer(streamId, MESSAGE);
    }

    private static String version() {
        String version = GatewayInfoAnswer.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}

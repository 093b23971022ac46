package dev.functiongateway.proxy;

import dev.functiongateway.proxy.api.DescribeResponse;
import dev.functiongateway.proxy.api.GatewayInfoGrpc;
import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/**
 * The gateway's one service of its own on the listener, {@code GatewayInfo/Describe}: answered here, needing no
 * key and no function-id. Every other method name is a function's. Threading: the client connection's event loop.
 */
final class GatewayInfoAnswer {

    private static final AsciiString PATH = AsciiString.cached("/" + GatewayInfoGrpc.getDescribeMethod().getFullMethodName());
    /** The whole answer as one gRPC message (5-byte prefix and the encoded response), made once. */
    private static final byte[] MESSAGE = frame(DescribeResponse.newBuilder().setName("function-gateway")
            .setVersion(version()).build().toByteArray());

    private GatewayInfoAnswer() {
    }

    static boolean handles(Http2Headers requestHeaders) {
        return PATH.contentEquals(requestHeaders.path());
    }

    /** Answers on the stream; the request's DATA, if any, is read and dropped by the connection. */
    static void answer(ClientConnection client, int streamId) {
        client.writeHeaders(streamId, GrpcWire.responseHeaders(), false);
        ByteBuf message = Unpooled.wrappedBuffer(MESSAGE);
        client.writeData(streamId, message, false, client.newPromise());
        client.writeHeaders(streamId, GrpcWire.withStatus(new DefaultHttp2Headers(), Status.OK), true);
    }

    private static String version() {
        String version = GatewayInfoAnswer.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    private static byte[] frame(byte[] payload) {
        byte[] framed = new byte[payload.length + 5];
        framed[1] = (byte) (payload.length >>> 24);
        framed[2] = (byte) (payload.length >>> 16);
        framed[3] = (byte) (payload.length >>> 8);
        framed[4] = (byte) payload.length;
        System.arraycopy(payload, 0, framed, 5, payload.length);
        return framed;
    }
}

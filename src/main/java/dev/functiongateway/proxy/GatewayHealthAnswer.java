package dev.functiongateway.proxy;

import java.util.Arrays;

import com.google.protobuf.InvalidProtocolBufferException;

import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/**
 * The gateway's own {@code grpc.health.v1.Health}, for calls that name no function: what a load balancer's or
 * Kubernetes' gRPC probe of the listener port sends, with no key and no {@code function-id}. {@code Check} of the
 * service {@code ""} answers SERVING once the registry has been read from the database (NOT_SERVING before);
 * any other service name is NOT_FOUND, as the health protocol asks. {@code Watch} is UNIMPLEMENTED, which gRPC
 * clients that check health on their own (a service config's {@code healthCheckConfig}) take as "healthy"; any
 * other failure would make them stop sending calls. A call that names a function with {@code function-id} is the
 * function's, and goes to its worker like any other. At shutdown the listener sends GOAWAY and stops accepting,
 * which probes see as such. Neither answer is counted or logged as a call: probes come every few seconds.
 *
 * <p>One instance per {@code Check} stream, holding the request message (at most {@value #MAX_REQUEST} bytes)
 * until the client's half ends. Threading: the client connection's event loop.
 */
final class GatewayHealthAnswer {

    private static final AsciiString CHECK = AsciiString.cached("/" + HealthGrpc.getCheckMethod().getFullMethodName());
    private static final AsciiString WATCH = AsciiString.cached("/" + HealthGrpc.getWatchMethod().getFullMethodName());
    /** A request message with its 5-byte prefix; a service name is a few dozen bytes. */
    static final int MAX_REQUEST = 1024;
    private static final byte[] SERVING = response(ServingStatus.SERVING);
    private static final byte[] NOT_SERVING = response(ServingStatus.NOT_SERVING);

    private final ClientConnection client;
    private final int streamId;
    private byte[] request = new byte[0];

    private GatewayHealthAnswer(ClientConnection client, int streamId) {
        this.client = client;
        this.streamId = streamId;
    }

    /** True for a health call that names no function: the gateway answers it. */
    static boolean handles(Http2Headers requestHeaders) {
        CharSequence path = requestHeaders.path();
        return (CHECK.contentEquals(path) || WATCH.contentEquals(path))
                && !requestHeaders.contains(ProxyHeaders.FUNCTION_ID);
    }

    /**
     * Starts the answer to a call that {@link #handles} accepted: Watch is answered at once; a Check needs its
     * request, so it returns the answer that {@link #data} completes, or null if the call is over.
     */
    static GatewayHealthAnswer start(ClientConnection client, int streamId, Http2Headers requestHeaders,
            boolean endOfStream) {
        if (!CHECK.contentEquals(requestHeaders.path())) {
            client.writeHeaders(streamId, GrpcWire.trailersOnly(Status.UNIMPLEMENTED.withDescription(
                    "the gateway answers grpc.health.v1.Health/Check; send function-id for a function's own health")),
                    true);
            return null;
        }
        GatewayHealthAnswer answer = new GatewayHealthAnswer(client, streamId);
        return answer.data(null, endOfStream) ? null : answer;
    }

    /**
     * Takes the next piece of the request (null: none) and answers once the client's half ends or the request is
     * too large; true when answered.
     */
    boolean data(ByteBuf piece, boolean endOfStream) {
        if (piece != null && piece.isReadable()) {
            if (request.length + piece.readableBytes() > MAX_REQUEST) {
                client.writeHeaders(streamId, GrpcWire.trailersOnly(Status.RESOURCE_EXHAUSTED.withDescription(
                        "a health check request is at most " + MAX_REQUEST + " bytes")), true);
                if (!endOfStream) {
                    // The answer is complete; NO_ERROR tells the client to stop sending the rest (RFC 9113, 8.1).
                    client.reset(streamId, Http2Error.NO_ERROR);
                }
                return true;
            }
            int start = request.length;
            request = Arrays.copyOf(request, start + piece.readableBytes());
            piece.getBytes(piece.readerIndex(), request, start, piece.readableBytes());
        }
        if (!endOfStream) {
            return false;
        }
        answer();
        return true;
    }

    private void answer() {
        HealthCheckRequest check;
        try {
            check = parse(request);
        } catch (InvalidProtocolBufferException e) {
            client.writeHeaders(streamId, GrpcWire.trailersOnly(Status.INVALID_ARGUMENT.withDescription(
                    "the request is not one uncompressed grpc.health.v1.HealthCheckRequest message")), true);
            return;
        }
        if (!check.getService().isEmpty()) {
            client.writeHeaders(streamId, GrpcWire.trailersOnly(Status.NOT_FOUND.withDescription(
                    "the gateway's health has only the service \"\"; send function-id for a function's own health")),
                    true);
            return;
        }
        client.answer(streamId, client.services().registry().loaded() ? SERVING : NOT_SERVING);
    }

    /** The one message of a unary request: not compressed, its length as its prefix says. */
    static HealthCheckRequest parse(byte[] framed) throws InvalidProtocolBufferException {
        if (framed.length < 5 || framed[0] != 0) {
            throw new InvalidProtocolBufferException("not one uncompressed message");
        }
        int length = ((framed[1] & 0xFF) << 24) | ((framed[2] & 0xFF) << 16) | ((framed[3] & 0xFF) << 8)
                | (framed[4] & 0xFF);
        if (length != framed.length - 5) {
            throw new InvalidProtocolBufferException("not one uncompressed message");
        }
        return HealthCheckRequest.parseFrom(Arrays.copyOfRange(framed, 5, framed.length));
    }

    private static byte[] response(ServingStatus status) {
        return GrpcWire.framed(HealthCheckResponse.newBuilder().setStatus(status).build().toByteArray());
    }
}

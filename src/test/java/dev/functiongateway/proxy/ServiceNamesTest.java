package dev.functiongateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.functiongateway.support.Deployments.Deployed;
import dev.functiongateway.support.RawHttp2;
import dev.functiongateway.support.RawHttp2.Frame;
import dev.functiongateway.support.TestWorker;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;

/**
 * Which calls the gateway answers itself: a health check that names no function (a load balancer's or
 * Kubernetes' probe of the port). A health check that names a function, and reflection, reach the function.
 */
class ServiceNamesTest extends ProxyTestSupport {

    /** A probe sends no key and no function-id, and asks for the server's overall health, the service "". */
    @Test
    void aHealthCheckThatNamesNoFunctionIsTheGatewaysAndNeedsNoKey() {
        assertThat(HealthGrpc.newBlockingStub(connection()).check(HealthCheckRequest.getDefaultInstance())
                .getStatus()).isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void theGatewaysHealthHasNoOtherServiceNames() {
        var health = HealthGrpc.newBlockingStub(connection());
        assertThatThrownBy(() -> health.check(HealthCheckRequest.newBuilder()
                .setService("inference.GRPCInferenceService").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).contains("function-id");
                });
        assertThatThrownBy(() -> health.check(HealthCheckRequest.newBuilder().setService("x".repeat(2000)).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        // The connection still serves after both.
        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(ServingStatus.SERVING);
    }

    /**
     * Watch is what gRPC clients with client-side health checking call; UNIMPLEMENTED makes them treat the
     * gateway as healthy, where INVALID_ARGUMENT (no function-id) would have them stop sending calls to it.
     */
    @Test
    void aWatchThatNamesNoFunctionIsUnimplemented() {
        var updates = HealthGrpc.newBlockingStub(connection()).watch(HealthCheckRequest.getDefaultInstance());
        assertThatThrownBy(updates::hasNext).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
    }

    /** Read as raw frames: a request split over DATA frames is put together; one with no message is refused. */
    @Test
    void theGatewaysHealthCheckReadsItsRequestAcrossFramesAndRefusesAnEmptyOne() throws Exception {
        Map<String, String> check = new LinkedHashMap<>();
        check.put(":method", "POST");
        check.put(":scheme", "http");
        check.put(":path", "/grpc.health.v1.Health/Check");
        check.put(":authority", "gateway");
        check.put("content-type", "application/grpc");
        check.put("te", "trailers");
        byte[] serving = {0, 0, 0, 0, 2, 8, 1};
        try (RawHttp2 client = new RawHttp2(grpcPort)) {
            client.headers(1, check, true);
            client.headers(3, check, false);
            // service "" is the empty message: its 5-byte prefix alone, sent as 2 + 3 bytes.
            client.data(3, new byte[2], false);
            client.data(3, new byte[3], true);
            client.flush();
            List<Frame> stream1 = new ArrayList<>();
            byte[] answer3 = null;
            boolean ended1 = false;
            boolean ended3 = false;
            while (!(ended1 && ended3)) {
                Frame f = client.read();
                assertThat(f).as("the connection stays open").isNotNull();
                if (f.streamId() == 1) {
                    stream1.add(f);
                    ended1 |= f.type() == RawHttp2.HEADERS && (f.flags() & 0x1) != 0;
                } else if (f.streamId() == 3) {
                    answer3 = f.type() == RawHttp2.DATA ? f.payload() : answer3;
                    ended3 |= f.type() == RawHttp2.HEADERS && (f.flags() & 0x1) != 0;
                }
            }
            assertThat(stream1).as("the empty request: a trailers-only answer, no message")
                    .extracting(Frame::type).containsExactly(RawHttp2.HEADERS);
            assertThat(answer3).as("SERVING").isEqualTo(serving);
        }
    }

    @Test
    void healthChecksThroughTheGatewayAreTheFunctionsOwn() {
        TestWorker worker = worker("w");
        Deployed d = deploy(0, worker);
        worker.health("inference.GRPCInferenceService", false);
        var health = with(HealthGrpc.newBlockingStub(connection()), metadata(invokeKey, d.functionId(), null));
        assertThat(health.check(HealthCheckRequest.newBuilder().setService("inference.GRPCInferenceService").build())
                .getStatus()).isEqualTo(ServingStatus.NOT_SERVING);
    }

    @Test
    void reflectionIsNotServedByTheGateway() throws Exception {
        CompletableFuture<Status> closed = new CompletableFuture<>();
        var requests = with(ServerReflectionGrpc.newStub(connection()), metadata(invokeKey, null, null))
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                        closed.complete(Status.OK);
                    }

                    @Override
                    public void onError(Throwable t) {
                        closed.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        closed.complete(Status.OK);
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onCompleted();
        Status status = closed.get(10, TimeUnit.SECONDS);
        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).contains("function-id");
    }
}

package dev.functiongateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.functiongateway.support.Deployments.Deployed;
import dev.functiongateway.support.TestWorker;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;

/** The gateway owns no health or reflection service on the listener: those names reach the function. */
class ServiceNamesTest extends ProxyTestSupport {

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

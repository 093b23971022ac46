package dev.functiongateway.proxy;

import org.springframework.stereotype.Service;

import dev.functiongateway.proxy.api.DescribeRequest;
import dev.functiongateway.proxy.api.DescribeResponse;
import dev.functiongateway.proxy.api.GatewayInfoGrpc;
import io.grpc.stub.StreamObserver;

/**
 * The gateway's one service of its own on the proxy listener. Besides answering {@code Describe}, it is what
 * makes the gRPC starter start a server at all (it starts none without a service bean).
 */
@Service
public class GatewayInfoService extends GatewayInfoGrpc.GatewayInfoImplBase {

    @Override
    public void describe(DescribeRequest request, StreamObserver<DescribeResponse> responseObserver) {
        String version = GatewayInfoService.class.getPackage().getImplementationVersion();
        responseObserver.onNext(DescribeResponse.newBuilder().setName("function-gateway")
                .setVersion(version == null ? "dev" : version).build());
        responseObserver.onCompleted();
    }
}

package dev.functiongateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import dev.functiongateway.support.Deployments.Deployed;
import dev.functiongateway.support.TestWorker;
import dev.functiongateway.test.inference.GRPCInferenceServiceGrpc;
import dev.functiongateway.test.inference.ModelInferRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContextBuilder;

/** TLS on the proxy listener with client certificates required, and TLS from the gateway to a worker. */
@TestPropertySource(properties = {
        "gateway.proxy.ssl.bundle=listener",
        "gateway.proxy.ssl.client-auth=require",
        "spring.ssl.bundle.pem.listener.keystore.certificate=classpath:tls/server.crt",
        "spring.ssl.bundle.pem.listener.keystore.private-key=classpath:tls/server.key",
        "spring.ssl.bundle.pem.listener.truststore.certificate=classpath:tls/ca.crt",
        "spring.ssl.bundle.pem.workers.truststore.certificate=classpath:tls/ca.crt",
        "gateway.routing.upstream-ssl-bundle=workers" })
class ListenerTlsTest extends ProxyTestSupport {

    @Test
    void aClientWithACertificateReachesATlsWorkerThroughTheTlsListener() throws Exception {
        Deployed d = deploy(0, true, TestWorker.withTls("secure"));
        var stub = with(GRPCInferenceServiceGrpc.newBlockingStub(tlsConnection(true)),
                metadata(invokeKey, d.functionId(), null)).withDeadlineAfter(10, TimeUnit.SECONDS);
        assertThat(stub.modelInfer(ModelInferRequest.newBuilder().setModelName("m").build()).getModelName())
                .isEqualTo("secure");
    }

    @Test
    void clientsWithoutACertificateOrWithoutTlsAreRefused() throws Exception {
        for (ManagedChannel channel : new ManagedChannel[] { tlsConnection(false), connection() }) {
            var stub = with(GRPCInferenceServiceGrpc.newBlockingStub(channel), metadata(invokeKey, null, null))
                    .withDeadlineAfter(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> stub.modelInfer(ModelInferRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        }
    }

    private ManagedChannel tlsConnection(boolean withClientCertificate) throws SSLException {
        SslContextBuilder tls = GrpcSslContexts.forClient().trustManager(TestWorker.resource("tls/ca.crt"));
        if (withClientCertificate) {
            tls.keyManager(TestWorker.resource("tls/client.crt"), TestWorker.resource("tls/client.key"));
        }
        return closeLater(NettyChannelBuilder.forAddress("localhost", grpcPort).sslContext(tls.build()).build());
    }
}

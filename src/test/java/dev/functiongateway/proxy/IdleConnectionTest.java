package dev.functiongateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import dev.functiongateway.support.Deployments.Deployed;
import dev.functiongateway.test.inference.GRPCInferenceServiceGrpc;
import dev.functiongateway.test.inference.ModelInferRequest;
import io.grpc.stub.MetadataUtils;

/** The listener closes idle client connections, and that releases their sessions. */
@TestPropertySource(properties = { "gateway.proxy.idle-timeout=1s",
        "gateway.routing.queue-max-wait=20s" })
class IdleConnectionTest extends ProxyTestSupport {

    @Test
    void anIdleConnectionIsClosedAndItsSlotGoesToTheNextSession() throws Exception {
        Deployed d = deploy(1, worker("only"));
        var idle = with(GRPCInferenceServiceGrpc.newBlockingStub(connection()), metadata(invokeKey, d.functionId(), null));
        idle.modelInfer(ModelInferRequest.newBuilder().setModelName("m").build());

        long start = System.nanoTime();
        var next = GRPCInferenceServiceGrpc.newFutureStub(connection())
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata(invokeKey, d.functionId(), null)))
                .modelInfer(ModelInferRequest.newBuilder().setModelName("m").build());
        assertThat(next.get(15, TimeUnit.SECONDS).getModelName()).isEqualTo("only");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(500);
    }
}

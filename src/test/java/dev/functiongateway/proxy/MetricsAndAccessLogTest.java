package dev.functiongateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.functiongateway.support.Deployments.Deployed;
import dev.functiongateway.support.TestWorker;
import dev.functiongateway.test.inference.GRPCInferenceServiceGrpc;
import dev.functiongateway.test.inference.ModelInferRequest;
import dev.functiongateway.test.inference.ModelInferResponse;
import dev.functiongateway.test.inference.ServerLiveRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;

/** Real calls, then a scrape of /actuator/prometheus and a look at the access log. */
@ExtendWith(OutputCaptureExtension.class)
class MetricsAndAccessLogTest extends ProxyTestSupport {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

    @Test
    void everyMetricAppearsWithItsLabelsAfterRealCalls() throws Exception {
        TestWorker worker = worker("w");
        Deployed d = deploy(0, worker);
        ManagedChannel channel = connection();
        var stub = with(GRPCInferenceServiceGrpc.newBlockingStub(channel), metadata(invokeKey, d.functionId(), null));
        stub.modelInfer(ModelInferRequest.newBuilder().setModelName("m").addRawInputContents(
                com.google.protobuf.ByteString.copyFromUtf8("12345")).build());
        assertThatThrownBy(() -> stub.modelInfer(ModelInferRequest.newBuilder().setModelName("fail").build()))
                .isInstanceOf(StatusRuntimeException.class);
        assertThatThrownBy(() -> with(GRPCInferenceServiceGrpc.newBlockingStub(channel),
                metadata("never-issued-key-000000", d.functionId(), null)).serverLive(ServerLiveRequest.getDefaultInstance()))
                .isInstanceOf(StatusRuntimeException.class);
        String unknownFunction = UUID.randomUUID().toString();
        assertThatThrownBy(() -> with(GRPCInferenceServiceGrpc.newBlockingStub(channel),
                metadata(invokeKey, unknownFunction, null)).serverLive(ServerLiveRequest.getDefaultInstance()))
                .isInstanceOf(StatusRuntimeException.class);
        assertThatThrownBy(() -> madeUpMethod(channel, d)).isInstanceOf(StatusRuntimeException.class);

        String fid = "function_id=\"" + d.functionId() + "\"";
        String vid = "function_version_id=\"" + d.versionId() + "\"";
        String instance = "worker=\"" + worker.address() + "\"";
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            String scrape = management.get("/actuator/prometheus").text();
            assertThat(scrape)
                    .containsPattern("gateway_grpc_calls_seconds_count\\{code=\"OK\"," + fid + "," + vid
                            + ",method=\"inference.GRPCInferenceService/ModelInfer\"\\} 1")
                    .containsPattern("gateway_grpc_calls_seconds_count\\{code=\"INVALID_ARGUMENT\"," + fid + "," + vid
                            + ",method=\"inference.GRPCInferenceService/ModelInfer\"\\} 1")
                    .containsPattern("gateway_grpc_calls_seconds_bucket\\{code=\"OK\"," + fid + ".*le=\"0.001\"")
                    .containsPattern("gateway_grpc_calls_seconds_bucket\\{code=\"OK\"," + fid + ".*le=\"3600.0\"")
                    .containsPattern("gateway_grpc_calls_seconds_count\\{code=\"UNAUTHENTICATED\"," + fid
                            + ",function_version_id=\"none\",method=\"other\"\\}")
                    .containsPattern("gateway_grpc_calls_seconds_count\\{code=\"NOT_FOUND\",function_id=\"unknown\","
                            + "function_version_id=\"none\",method=\"other\"\\}")
                    .containsPattern("gateway_grpc_calls_seconds_count\\{code=\"UNIMPLEMENTED\"," + fid + "," + vid
                            + ",method=\"other\"\\}")
                    .doesNotContain(unknownFunction).doesNotContain("made.Up/Method")
                    .contains("gateway_grpc_calls_active ")
                    .containsPattern("gateway_grpc_connections_active [1-9]")
                    .containsPattern("gateway_grpc_sessions_active [1-9]")
                    .containsPattern("gateway_grpc_session_setup_seconds_count\\{" + fid + ",outcome=\"success\"\\}")
                    .containsPattern("gateway_grpc_messages_total\\{direction=\"request\"," + fid + "\\} [1-9]")
                    .containsPattern("gateway_grpc_messages_total\\{direction=\"response\"," + fid + "\\} [1-9]")
                    .containsPattern("gateway_grpc_bytes_total\\{direction=\"request\"," + fid + "\\} [1-9]")
                    .containsPattern("gateway_grpc_bytes_total\\{direction=\"response\"," + fid + "\\} [1-9]")
                    .containsPattern("gateway_auth_failures_total\\{listener=\"grpc\",reason=\"unknown\"\\} [1-9]")
                    .containsPattern("gateway_worker_healthy\\{" + fid + "," + vid + "," + instance + "\\} 1")
                    .containsPattern("gateway_worker_sessions\\{" + fid + "," + vid + "," + instance + "\\} 1")
                    .containsPattern("gateway_worker_connect_failures_total\\{" + fid + "," + vid + "," + instance + "\\}")
                    .containsPattern("gateway_queue_depth\\{" + fid + "," + vid + "\\} 0")
                    .containsPattern("gateway_queue_depth\\{" + fid + ",function_version_id=\"any\"\\} 0")
                    .contains("jvm_memory_used_bytes").contains("netty_allocator_memory_used");
        });
        String scrape = management.get("/actuator/prometheus").text();
        assertThat(scrape).doesNotContain(invokeKey).doesNotContain("never-issued-key");
        List<String> gatewayMeters = scrape.lines().filter(l -> l.startsWith("# TYPE gateway_"))
                .map(l -> l.split(" ")[2]).toList();
        assertThat(gatewayMeters).hasSizeGreaterThanOrEqualTo(14).allSatisfy(name -> assertThat(scrape)
                .as("HELP text of " + name).containsPattern("(?m)^# HELP " + name + " \\S"));
    }

    @Test
    void queueWaitIsMeasuredPerVersion() {
        Deployed d = deploy(1, worker("only"));
        ManagedChannel holder = connection();
        with(GRPCInferenceServiceGrpc.newBlockingStub(holder), metadata(invokeKey, d.functionId(), null))
                .modelInfer(ModelInferRequest.newBuilder().setModelName("m").build());
        assertThatThrownBy(() -> with(GRPCInferenceServiceGrpc.newBlockingStub(connection()),
                metadata(invokeKey, d.functionId(), d.versionId())).modelInfer(ModelInferRequest.getDefaultInstance()))
                .isInstanceOf(StatusRuntimeException.class);
        assertThat(management.get("/actuator/prometheus").text()).containsPattern(
                "gateway_queue_wait_seconds_count\\{function_id=\"" + d.functionId() + "\",function_version_id=\""
                        + d.versionId() + "\",outcome=\"refused\"\\} 1");
    }

    @Test
    void eachCallLeavesOneAccessLogLineWithoutTheKeyAndTraceContextPassesThrough(CapturedOutput output)
            throws Exception {
        TestWorker worker = worker("w");
        Deployed d = deploy(0, worker);
        Metadata md = metadata(invokeKey, d.functionId(), d.versionId());
        md.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), TRACEPARENT);
        md.put(Metadata.Key.of("tracestate", Metadata.ASCII_STRING_MARSHALLER), "vendor=abc");
        ModelInferResponse response = with(GRPCInferenceServiceGrpc.newBlockingStub(connection()), md)
                .modelInfer(ModelInferRequest.newBuilder().setModelName("m").build());

        Metadata upstream = worker.lastHeaders();
        assertThat(upstream.get(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER))).isEqualTo(TRACEPARENT);
        assertThat(upstream.get(Metadata.Key.of("tracestate", Metadata.ASCII_STRING_MARSHALLER))).isEqualTo("vendor=abc");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(output.getOut()).containsPattern(
                "dev.functiongateway.access +: grpc nvcf-reqid=" + response.getId() + " client=/127.0.0.1:\\d+ function="
                        + d.functionId() + " version=" + d.versionId()
                        + " method=inference.GRPCInferenceService/ModelInfer status=OK duration_ms=\\d+"
                        + " request_bytes=\\d+ response_bytes=\\d+ key_id=[0-9a-f-]{36} trace_id=" + TRACE_ID));
        assertThat(output.getAll()).doesNotContain(invokeKey);
    }

    private Object madeUpMethod(ManagedChannel channel, Deployed d) {
        MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setFullMethodName("made.Up/Method").setType(MethodDescriptor.MethodType.UNARY)
                .setRequestMarshaller(Bytes.INSTANCE).setResponseMarshaller(Bytes.INSTANCE).build();
        io.grpc.Channel withMetadata = io.grpc.ClientInterceptors.intercept(channel,
                io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(metadata(invokeKey, d.functionId(), null)));
        return ClientCalls.blockingUnaryCall(withMetadata.newCall(method, io.grpc.CallOptions.DEFAULT
                .withDeadlineAfter(5, TimeUnit.SECONDS)), new byte[0]);
    }

    private enum Bytes implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public java.io.InputStream stream(byte[] value) {
            return new java.io.ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(java.io.InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}

package dev.functiongateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import dev.functiongateway.support.Deployments.Deployed;
import dev.functiongateway.support.FlowControlledUpload;
import dev.functiongateway.support.TestWorker;
import dev.functiongateway.test.inference.GRPCInferenceServiceGrpc;
import dev.functiongateway.test.inference.ModelInferRequest;
import dev.functiongateway.test.inference.ModelStreamInferResponse;
import dev.functiongateway.test.streams.Chunk;
import dev.functiongateway.test.streams.DownloadRequest;
import dev.functiongateway.test.streams.StreamsGrpc;
import dev.functiongateway.test.streams.Summary;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;

/** All four call types, large messages and long streams, with content checked end to end. */
class StreamingTest extends ProxyTestSupport {

    private static final int MIB = 1 << 20;

    TestWorker worker;
    Deployed d;
    ManagedChannel channel;

    @BeforeEach
    void deployWorker() {
        worker = worker("w");
        d = deploy(0, worker);
        channel = connection();
    }

    @Test
    void bidiStreamingPassesEveryMessageBothWays() throws Exception {
        List<ModelStreamInferResponse> received = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<ModelInferRequest> requests = inference().modelStreamInfer(new StreamObserver<>() {
            @Override
            public void onNext(ModelStreamInferResponse value) {
                received.add(value);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete(null);
            }
        });
        for (int i = 0; i < 50; i++) {
            requests.onNext(ModelInferRequest.newBuilder().setModelName("m").setModelVersion("" + i).build());
        }
        requests.onCompleted();
        done.get(10, TimeUnit.SECONDS);
        assertThat(received).hasSize(50);
        assertThat(received.get(49).getInferResponse().getModelVersion()).isEqualTo("49");
    }

    @Test
    void aClientCancelMidStreamReachesTheWorker() throws Exception {
        CompletableFuture<Void> first = new CompletableFuture<>();
        StreamObserver<ModelInferRequest> requests = inference().modelStreamInfer(new StreamObserver<>() {
            @Override
            public void onNext(ModelStreamInferResponse value) {
                first.complete(null);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        });
        requests.onNext(ModelInferRequest.newBuilder().setModelName("m").build());
        first.get(5, TimeUnit.SECONDS);
        requests.onError(new RuntimeException("client gave up"));
        assertThat(worker.cancelled.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void a64MiBMessagePassesEachWay() {
        ByteString big = TestWorker.chunk(42, 64 * MIB);
        var response = with(GRPCInferenceServiceGrpc.newBlockingStub(channel), metadata(invokeKey, d.functionId(), null))
                .withDeadlineAfter(60, TimeUnit.SECONDS).modelInfer(ModelInferRequest.newBuilder().setModelName("m")
                .addRawInputContents(big).build());
        assertThat(response.getRawOutputContents(0).size()).isEqualTo(64 * MIB);
        assertThat(response.getRawOutputContents(0).equals(big)).isTrue();
    }

    @Test
    void aClientStreamOf1GiBArrivesWhole() throws Exception {
        int messages = 1024;
        MessageDigest sent = TestWorker.sha256();
        FlowControlledUpload upload = new FlowControlledUpload(messages, i -> {
            ByteString data = TestWorker.chunk(i, MIB);
            data.asReadOnlyByteBufferList().forEach(sent::update);
            return data;
        });
        streams().upload(upload);
        Summary result = upload.received.get(120, TimeUnit.SECONDS);
        assertThat(result.getMessages()).isEqualTo(messages);
        assertThat(result.getBytes()).isEqualTo((long) messages * MIB);
        assertThat(result.getSha256().toByteArray()).isEqualTo(sent.digest());
    }

    @Test
    void aServerStreamOf1GiBArrivesWhole() {
        int messages = 1024;
        Iterator<Chunk> chunks = StreamsGrpc.newBlockingStub(channel)
                .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(
                        metadata(invokeKey, d.functionId(), null)))
                .withDeadlineAfter(120, TimeUnit.SECONDS)
                .download(DownloadRequest.newBuilder().setMessages(messages).setSize(MIB).setSeed(7).build());
        MessageDigest expected = TestWorker.sha256();
        MessageDigest received = TestWorker.sha256();
        long count = 0;
        while (chunks.hasNext()) {
            chunks.next().getData().asReadOnlyByteBufferList().forEach(received::update);
            TestWorker.chunk(7 + count, MIB).asReadOnlyByteBufferList().forEach(expected::update);
            count++;
        }
        assertThat(count).isEqualTo(messages);
        assertThat(received.digest()).isEqualTo(expected.digest());
    }

    private GRPCInferenceServiceGrpc.GRPCInferenceServiceStub inference() {
        return with(GRPCInferenceServiceGrpc.newStub(channel), metadata(invokeKey, d.functionId(), null))
                .withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private StreamsGrpc.StreamsStub streams() {
        return with(StreamsGrpc.newStub(channel), metadata(invokeKey, d.functionId(), null))
                .withDeadlineAfter(120, TimeUnit.SECONDS);
    }
}

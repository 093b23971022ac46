package dev.functiongateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import dev.functiongateway.support.Deployments.Deployed;
import dev.functiongateway.support.FlowControlledUpload;
import dev.functiongateway.support.TestWorker;
import dev.functiongateway.test.streams.Chunk;
import dev.functiongateway.test.streams.DownloadRequest;
import dev.functiongateway.test.streams.StreamsGrpc;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

/**
 * A reader that stops reading stops the writer on the other side of the gateway: the gateway holds no more
 * than the transports' flow-control windows, whatever the stream's length. Each test lets a 128 MiB stream
 * stall for a second, checks that only a few MiB moved, then lets it finish.
 */
class FlowControlTest extends ProxyTestSupport {

    private static final int CHUNK = 64 * 1024;
    private static final int MESSAGES = 2048;
    /** Far below the 2048 chunks that would move without flow control: about 16 MiB of windows and buffers. */
    private static final int BOUND = 256;

    @Test
    void aClientThatStopsReadingStopsTheWorkerFromWriting() throws Exception {
        TestWorker worker = worker("w");
        Deployed d = deploy(0, worker);
        AtomicLong received = new AtomicLong();
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletableFuture<ClientCallStreamObserver<DownloadRequest>> call = new CompletableFuture<>();
        with(StreamsGrpc.newStub(connection()), metadata(invokeKey, d.functionId(), null))
                .download(DownloadRequest.newBuilder().setMessages(MESSAGES).setSize(CHUNK).build(),
                        new ClientResponseObserver<DownloadRequest, Chunk>() {
                            @Override
                            public void beforeStart(ClientCallStreamObserver<DownloadRequest> requests) {
                                requests.disableAutoRequestWithInitial(1);
                                call.complete(requests);
                            }

                            @Override
                            public void onNext(Chunk value) {
                                received.incrementAndGet();
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
        Thread.sleep(1000);
        assertThat(received.get()).isEqualTo(1);
        assertThat(worker.downloadSent.get()).isBetween(2L, (long) BOUND);

        call.get().request(Integer.MAX_VALUE);
        done.get(60, TimeUnit.SECONDS);
        assertThat(received.get()).isEqualTo(MESSAGES);
    }

    @Test
    void aWorkerThatStopsReadingStopsTheClientFromWriting() throws Exception {
        TestWorker worker = worker("w");
        Deployed d = deploy(0, worker);
        ByteString data = TestWorker.chunk(1, CHUNK);
        FlowControlledUpload upload = new FlowControlledUpload(MESSAGES, i -> data);
        with(StreamsGrpc.newStub(connection()), metadata(invokeKey, d.functionId(), null)).hold(upload);
        Thread.sleep(1000);
        assertThat(upload.sent.get()).isBetween(2L, (long) BOUND);

        worker.holdRelease.complete(null);
        assertThat(upload.received.get(60, TimeUnit.SECONDS).getMessages()).isEqualTo(MESSAGES);
    }
}

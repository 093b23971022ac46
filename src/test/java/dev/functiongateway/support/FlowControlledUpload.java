package dev.functiongateway.support;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

import com.google.protobuf.ByteString;

import dev.functiongateway.test.streams.Chunk;
import dev.functiongateway.test.streams.Summary;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

/**
 * A client stream of {@code messages} chunks sent the way a well-behaved client sends: only while the call is
 * ready, resuming on {@code onReady}. {@link #sent} counts what has been handed to grpc so far; {@link #received}
 * completes with the server's answer.
 */
public final class FlowControlledUpload extends FirstMessage<Summary>
        implements ClientResponseObserver<Chunk, Summary> {

    public final AtomicLong sent = new AtomicLong();
    private final long messages;
    private final LongFunction<ByteString> chunkAt;

    /** @param chunkAt the content of chunk {@code i}, called once per chunk in order */
    public FlowControlledUpload(long messages, LongFunction<ByteString> chunkAt) {
        this.messages = messages;
        this.chunkAt = chunkAt;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Chunk> requests) {
        requests.setOnReadyHandler(() -> {
            while (requests.isReady() && sent.get() < messages) {
                requests.onNext(Chunk.newBuilder().setData(chunkAt.apply(sent.getAndIncrement())).build());
            }
            if (sent.get() == messages) {
                sent.incrementAndGet();
                requests.onCompleted();
            }
        });
    }
}

package dev.functiongateway.support;

import java.util.concurrent.CompletableFuture;

import io.grpc.stub.StreamObserver;

/**
 * A client's response observer that keeps a call open and completes {@link #received} with its first message,
 * or with its error. Later messages and the end are ignored. Open for observers that also drive the call's
 * requests ({@link FlowControlledUpload}).
 */
public class FirstMessage<T> implements StreamObserver<T> {

    public final CompletableFuture<T> received = new CompletableFuture<>();

    @Override
    public void onNext(T value) {
        received.complete(value);
    }

    @Override
    public void onError(Throwable t) {
        received.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
    }
}

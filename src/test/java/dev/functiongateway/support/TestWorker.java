package dev.functiongateway.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.google.protobuf.ByteString;

import dev.functiongateway.test.inference.GRPCInferenceServiceGrpc;
import dev.functiongateway.test.inference.ModelInferRequest;
import dev.functiongateway.test.inference.ModelInferResponse;
import dev.functiongateway.test.inference.ModelStreamInferResponse;
import dev.functiongateway.test.inference.ServerLiveRequest;
import dev.functiongateway.test.inference.ServerLiveResponse;
import dev.functiongateway.test.inference.ServerReadyRequest;
import dev.functiongateway.test.inference.ServerReadyResponse;
import dev.functiongateway.test.streams.Chunk;
import dev.functiongateway.test.streams.DownloadRequest;
import dev.functiongateway.test.streams.StreamsGrpc;
import dev.functiongateway.test.streams.Summary;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * A real gRPC worker on 127.0.0.1 for proxy tests: the KServe-style inference service, the streaming test
 * service and the standard health service. It records the metadata of every call it gets and whether calls
 * were cancelled. Behaviour is chosen by the request's {@code model_name}:
 * {@code slow} never answers (it waits to be cancelled), {@code delay-<ms>} answers after that many
 * milliseconds, {@code fail} answers INVALID_ARGUMENT with a trailer, anything else echoes.
 */
public final class TestWorker implements AutoCloseable {

    public static final Metadata.Key<String> WORKER_TRAILER = Metadata.Key.of("x-worker-detail",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<Metadata> HEADERS = Context.key("headers");
    private static final ScheduledExecutorService DELAYS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-worker-delays");
        t.setDaemon(true);
        return t;
    });

    private final String name;
    private final Server server;
    private final HealthStatusManager health = new HealthStatusManager();
    public final BlockingQueue<Metadata> received = new LinkedBlockingQueue<>();
    public final CountDownLatch cancelled = new CountDownLatch(1);
    public final AtomicInteger calls = new AtomicInteger();
    /** Chunks {@code Download} has handed to grpc so far. */
    public final AtomicLong downloadSent = new AtomicLong();
    /** Completing it lets {@code Hold} read on. */
    public final CompletableFuture<Void> holdRelease = new CompletableFuture<>();

    public TestWorker(String name) {
        this(name, false, 0, null);
    }

    /**
     * A worker that sends GOAWAY on each connection once it is this old (grpc-java's max connection age), letting
     * the calls it accepted finish: what Kubernetes and Envoy do to connections.
     */
    public static TestWorker withMaxConnectionAge(String name, java.time.Duration age) {
        return new TestWorker(name, false, 0, age);
    }

    /** A worker on a given port, to stand in for one that stopped there. */
    public static TestWorker onPort(String name, int port) {
        return new TestWorker(name, false, port, null);
    }

    /** A worker that speaks TLS with the test server certificate (for 127.0.0.1), signed by the test CA. */
    public static TestWorker withTls(String name) {
        return new TestWorker(name, true, 0, null);
    }

    private TestWorker(String name, boolean tls, int port, java.time.Duration maxConnectionAge) {
        this.name = name;
        ServerInterceptor recordHeaders = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                if (!call.getMethodDescriptor().getFullMethodName().startsWith("grpc.health")) {
                    received.add(headers);
                    calls.incrementAndGet();
                }
                return Contexts.interceptCall(Context.current().withValue(HEADERS, headers), call, headers, next);
            }
        };
        try {
            NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port));
            if (maxConnectionAge != null) {
                builder.maxConnectionAge(maxConnectionAge.toMillis(), TimeUnit.MILLISECONDS)
                        .maxConnectionAgeGrace(30, TimeUnit.SECONDS);
            }
            if (tls) {
                builder.sslContext(GrpcSslContexts.forServer(resource("tls/server.crt"), resource("tls/server.key"))
                        .build());
            }
            server = builder.maxInboundMessageSize(Integer.MAX_VALUE)
                    .addService(ServerInterceptors.intercept(new Inference(), recordHeaders))
                    .addService(ServerInterceptors.intercept(new Streams(downloadSent, holdRelease), recordHeaders))
                    .addService(health.getHealthService())
                    .build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        health.setStatus("", ServingStatus.SERVING);
    }

    /** A test resource as a stream, for TLS material. */
    public static InputStream resource(String path) {
        return TestWorker.class.getClassLoader().getResourceAsStream(path);
    }

    public int port() {
        return server.getPort();
    }

    public String address() {
        return "127.0.0.1:" + server.getPort();
    }

    public String name() {
        return name;
    }

    public void serving(boolean serving) {
        health("", serving);
    }

    public void health(String service, boolean serving) {
        health.setStatus(service, serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
    }

    public Metadata lastHeaders() throws InterruptedException {
        Metadata last = null;
        Metadata next;
        while ((next = received.poll(last == null ? 5 : 0, TimeUnit.SECONDS)) != null) {
            last = next;
        }
        return last;
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private final class Inference extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

        @Override
        public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
            out.onNext(ServerLiveResponse.newBuilder().setLive(true).build());
            out.onCompleted();
        }

        @Override
        public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
            out.onNext(ServerReadyResponse.newBuilder().setReady(true).build());
            out.onCompleted();
        }

        @Override
        public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
            switch (request.getModelName()) {
                case "slow" -> {
                    Context.current().addListener(c -> cancelled.countDown(), Runnable::run);
                    return;
                }
                case "fail" -> {
                    Metadata trailers = new Metadata();
                    trailers.put(WORKER_TRAILER, "bad tensor shape");
                    out.onError(Status.INVALID_ARGUMENT.withDescription("input 0 has the wrong shape")
                            .asRuntimeException(trailers));
                    return;
                }
                default -> {
                    if (request.getModelName().startsWith("delay-")) {
                        ModelInferResponse response = answer(request);
                        DELAYS.schedule(() -> {
                            out.onNext(response);
                            out.onCompleted();
                        }, Long.parseLong(request.getModelName().substring(6)), TimeUnit.MILLISECONDS);
                        return;
                    }
                }
            }
            out.onNext(answer(request));
            out.onCompleted();
        }

        @Override
        public StreamObserver<ModelInferRequest> modelStreamInfer(StreamObserver<ModelStreamInferResponse> out) {
            Context.current().addListener(c -> cancelled.countDown(), Runnable::run);
            return new StreamObserver<>() {
                @Override
                public void onNext(ModelInferRequest request) {
                    out.onNext(ModelStreamInferResponse.newBuilder().setInferResponse(answer(request)).build());
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    out.onCompleted();
                }
            };
        }

        private ModelInferResponse answer(ModelInferRequest request) {
            Metadata headers = HEADERS.get();
            String requestId = headers.get(Metadata.Key.of("nvcf-reqid", Metadata.ASCII_STRING_MARSHALLER));
            return ModelInferResponse.newBuilder().setModelName(name).setId(requestId == null ? "" : requestId)
                    .setModelVersion(request.getModelVersion())
                    .addAllRawOutputContents(request.getRawInputContentsList()).build();
        }
    }

    private static final class Streams extends StreamsGrpc.StreamsImplBase {

        private final AtomicLong downloadSent;
        private final CompletableFuture<Void> holdRelease;

        Streams(AtomicLong downloadSent, CompletableFuture<Void> holdRelease) {
            this.downloadSent = downloadSent;
            this.holdRelease = holdRelease;
        }

        @Override
        public StreamObserver<Chunk> hold(StreamObserver<Summary> plainOut) {
            ServerCallStreamObserver<Summary> out = (ServerCallStreamObserver<Summary>) plainOut;
            out.disableAutoRequest();
            out.request(1);
            holdRelease.thenRun(() -> out.request(Integer.MAX_VALUE));
            return new StreamObserver<>() {
                long messages;

                @Override
                public void onNext(Chunk chunk) {
                    messages++;
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    out.onNext(Summary.newBuilder().setMessages(messages).build());
                    out.onCompleted();
                }
            };
        }

        @Override
        public StreamObserver<Chunk> upload(StreamObserver<Summary> out) {
            MessageDigest digest = sha256();
            return new StreamObserver<>() {
                long messages;
                long bytes;

                @Override
                public void onNext(Chunk chunk) {
                    messages++;
                    bytes += chunk.getData().size();
                    chunk.getData().asReadOnlyByteBufferList().forEach(digest::update);
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    out.onNext(Summary.newBuilder().setMessages(messages).setBytes(bytes)
                            .setSha256(ByteString.copyFrom(digest.digest())).build());
                    out.onCompleted();
                }
            };
        }

        /** Sends with flow control: only while the client (here, the gateway) is ready. */
        @Override
        public void download(DownloadRequest request, StreamObserver<Chunk> plainOut) {
            ServerCallStreamObserver<Chunk> out = (ServerCallStreamObserver<Chunk>) plainOut;
            long[] sent = { 0 };
            Runnable pump = () -> {
                while (out.isReady() && sent[0] < request.getMessages()) {
                    out.onNext(Chunk.newBuilder().setData(chunk(request.getSeed() + sent[0], request.getSize())).build());
                    sent[0]++;
                    downloadSent.incrementAndGet();
                }
                if (sent[0] == request.getMessages()) {
                    sent[0]++;
                    out.onCompleted();
                }
            };
            out.setOnReadyHandler(pump);
            pump.run();
        }

        @Override
        public StreamObserver<Chunk> echo(StreamObserver<Chunk> out) {
            return new StreamObserver<>() {
                @Override
                public void onNext(Chunk chunk) {
                    out.onNext(chunk);
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    out.onCompleted();
                }
            };
        }
    }

    /** Deterministic content for chunk {@code index}: both ends can make it and compare. */
    public static ByteString chunk(long index, int size) {
        byte[] data = new byte[size];
        long x = index * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < size; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            data[i] = (byte) x;
        }
        return ByteString.copyFrom(data);
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

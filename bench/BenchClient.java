import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.KnownLength;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;

/**
 * The benchmark's gRPC client (grpc-java, byte[] messages, so no generated code). Modes:
 * <ul>
 * <li>{@code frame <bodyBytes> <file>}: writes one gRPC frame (5-byte prefix + body) whose body is a
 * KServe {@code ModelInferRequest} encoding of exactly bodyBytes bytes (model "echo", one UINT8 input tensor,
 * its bytes in {@code raw_input_contents}), the request body h2load sends.</li>
 * <li>{@code bidi <host:port> <warmUpSeconds> <seconds> <inFlight> <bodyBytes>}: a warm-up stream, then the
 * measured bidirectional stream ({@code ModelStreamInfer}) on the same channel, each keeping inFlight messages
 * outstanding for the given time; prints messages/s and the p50/p99 of each message's round trip of the measured
 * stream, and the CPU ticks (user, system) that the processes in {@code $BENCH_PIDS} spent during it.</li>
 * <li>{@code big <host:port> <bytes>}: one unary call with one message of the given size (may exceed the
 * heap: it is generated while sent), whose echo is checked byte for byte while it is read.</li>
 * <li>{@code stream <host:port> <totalBytes> <messageBytes>}: one bidirectional stream that sends totalBytes in
 * messages of messageBytes as fast as flow control lets it (grpc-java's isReady), each echo checked.</li>
 * </ul>
 * Metadata: {@code authorization: Bearer $BENCH_KEY}, {@code function-id: $BENCH_FUNCTION_ID} and
 * {@code bench-echo: $BENCH_ECHO} (how the echo worker answers) when set.
 * Output: one line of {@code key=value} pairs; {@code status=OK} only when every call ended with OK and every
 * echo matched. Exit code 0 then, 1 otherwise.
 */
public final class BenchClient {

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    };

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "frame" -> Files.write(Path.of(args[2]), frame(modelInferRequest(Integer.parseInt(args[1]))));
            case "bidi" -> System.exit(bidi(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Integer.parseInt(args[5])) ? 0 : 1);
            case "big" -> System.exit(big(args[1], Long.parseLong(args[2])) ? 0 : 1);
            case "stream" -> System.exit(stream(args[1], Long.parseLong(args[2]), Integer.parseInt(args[3])) ? 0 : 1);
            default -> throw new IllegalArgumentException("mode: frame | bidi | big | stream");
        }
    }

    // ---- KServe ModelInferRequest, hand-encoded (field numbers from grpc_predict_v2.proto) ----

    static byte[] modelInferRequest(int size) {
        for (int raw = size; raw >= 0; raw--) {
            ByteArrayOutputStream shape = new ByteArrayOutputStream();
            varint(shape, raw);
            ByteArrayOutputStream tensor = new ByteArrayOutputStream();
            field(tensor, 1, "INPUT0".getBytes());       // InferInputTensor.name
            field(tensor, 2, "UINT8".getBytes());        // .datatype
            field(tensor, 3, shape.toByteArray());       // .shape (packed int64)
            ByteArrayOutputStream m = new ByteArrayOutputStream();
            field(m, 1, "echo".getBytes());              // ModelInferRequest.model_name
            field(m, 5, tensor.toByteArray());           // .inputs
            ByteArrayOutputStream rawLength = new ByteArrayOutputStream();
            varint(rawLength, raw);
            int total = m.size() + 1 + rawLength.size() + raw;
            if (total < size) {
                break;
            }
            if (total == size) {
                byte[] content = new byte[raw];
                for (int i = 0; i < raw; i++) {
                    content[i] = pattern(i);
                }
                field(m, 7, content);                    // .raw_input_contents
                return m.toByteArray();
            }
        }
        throw new IllegalArgumentException("no ModelInferRequest of exactly " + size + " bytes");
    }

    private static void field(ByteArrayOutputStream out, int number, byte[] bytes) {
        varint(out, (number << 3) | 2);
        varint(out, bytes.length);
        out.writeBytes(bytes);
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    static byte[] frame(byte[] body) {
        byte[] f = new byte[body.length + 5];
        f[1] = (byte) (body.length >>> 24);
        f[2] = (byte) (body.length >>> 16);
        f[3] = (byte) (body.length >>> 8);
        f[4] = (byte) body.length;
        System.arraycopy(body, 0, f, 5, body.length);
        return f;
    }

    /** The content of byte i of a generated message: cheap, and not periodic at any frame or buffer size. */
    static byte pattern(long i) {
        return (byte) (i ^ (i >>> 8) ^ (i >>> 19));
    }

    // ---- calls ----

    private static ManagedChannel channel(String target) {
        return NettyChannelBuilder.forTarget(target).usePlaintext()
                .maxInboundMessageSize(Integer.MAX_VALUE).build();
    }

    private static Metadata metadata() {
        Metadata md = new Metadata();
        String key = System.getenv("BENCH_KEY");
        String function = System.getenv("BENCH_FUNCTION_ID");
        if (key != null && !key.isEmpty()) {
            md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
        }
        if (function != null && !function.isEmpty()) {
            md.put(Metadata.Key.of("function-id", Metadata.ASCII_STRING_MARSHALLER), function);
        }
        String echo = System.getenv("BENCH_ECHO");
        if (echo != null && !echo.isEmpty()) {
            md.put(Metadata.Key.of("bench-echo", Metadata.ASCII_STRING_MARSHALLER), echo);
        }
        return md;
    }

    /** Two bidi streams on one channel: the first warms up this JVM and the proxy, the second is measured. */
    private static boolean bidi(String target, int warmUpSeconds, int seconds, int inFlight, int bodyBytes)
            throws Exception {
        byte[] message = modelInferRequest(bodyBytes);
        var method = MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.BIDI_STREAMING)
                .setFullMethodName("inference.GRPCInferenceService/ModelStreamInfer")
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
        ManagedChannel channel = channel(target);
        try {
            RoundTrips warm = roundTrips(channel, method, message, warmUpSeconds, inFlight);
            long[] before = cpuTicks();
            RoundTrips measured = roundTrips(channel, method, message, seconds, inFlight);
            long[] after = cpuTicks();
            boolean ok = warm.ok() && measured.ok();
            long[] sorted = measured.latencies();
            Arrays.sort(sorted);
            System.out.printf("status=%s messages=%d seconds=%.3f rate=%.1f p50_ms=%.3f p99_ms=%.3f usr_ticks=%d "
                            + "sys_ticks=%d%s%n", ok ? "OK" : "FAILED", sorted.length, measured.seconds(),
                    sorted.length / measured.seconds(), percentile(sorted, 0.50), percentile(sorted, 0.99),
                    after[0] - before[0], after[1] - before[1], ok ? "" : " detail=warm-up:" + warm.problem()
                            + ",measured:" + measured.problem());
            return ok;
        } finally {
            channel.shutdownNow();
        }
    }

    /** One measured stream: round-trip times in ns, and what went wrong if anything did. */
    private record RoundTrips(long[] latencies, double seconds, String problem) {
        boolean ok() {
            return problem.isEmpty();
        }
    }

    /** One bidi stream keeping inFlight messages outstanding for the given time. Threading: see the lock. */
    private static RoundTrips roundTrips(ManagedChannel channel, MethodDescriptor<byte[], byte[]> method,
            byte[] message, int seconds, int inFlight) throws InterruptedException {
        Object lock = new Object();
        ArrayDeque<Long> sentAt = new ArrayDeque<>();  // echo keeps order: the head is the next answer's send time
        long[][] latencies = {new long[1 << 16]};
        int[] count = {0};
        boolean[] mismatch = {false};
        long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ClientCall<byte[], byte[]> call = channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(
                seconds + 60L, TimeUnit.SECONDS));
        long start = System.nanoTime();
        Ending<?> listener = start(call, new Ending<>() {
            @Override
            public void onMessage(byte[] echoed) {
                long now = System.nanoTime();
                synchronized (lock) {
                    long latency = now - sentAt.removeFirst();
                    if (count[0] == latencies[0].length) {
                        latencies[0] = Arrays.copyOf(latencies[0], count[0] * 2);
                    }
                    latencies[0][count[0]++] = latency;
                    mismatch[0] |= !Arrays.equals(echoed, message);
                    if (now < stopAt) {
                        sentAt.addLast(System.nanoTime());
                        call.sendMessage(message);
                    } else if (sentAt.isEmpty()) {
                        call.halfClose();
                    }
                }
                call.request(1);
            }
        });
        synchronized (lock) {
            for (int i = 0; i < inFlight; i++) {
                sentAt.addLast(System.nanoTime());
                call.sendMessage(message);
            }
        }
        Status end = listener.await(seconds + 90L);
        double elapsed = (System.nanoTime() - start) / 1e9;
        synchronized (lock) {
            String problem = end == null || !end.isOk() ? describe(end) : mismatch[0] ? "mismatch" : "";
            return new RoundTrips(Arrays.copyOf(latencies[0], count[0]), elapsed, problem);
        }
    }

    /** A call's listener that remembers how the call ended. */
    private abstract static class Ending<T> extends ClientCall.Listener<T> {
        private final CountDownLatch closed = new CountDownLatch(1);
        private volatile Status status;

        @Override
        public void onClose(Status status, Metadata trailers) {
            this.status = status;
            closed.countDown();
        }

        /** The call's status, or null when it did not end within the given seconds. */
        Status await(long seconds) throws InterruptedException {
            return closed.await(seconds, TimeUnit.SECONDS) ? status : null;
        }
    }

    /** Starts the call with the benchmark's metadata and asks for the first response message. */
    private static <T> Ending<T> start(ClientCall<?, T> call, Ending<T> listener) {
        call.start(listener, metadata());
        call.request(1);
        return listener;
    }

    private static boolean ok(Status status) {
        return status != null && status.isOk();
    }

    /** A status as one word: code and description, or "no-end" for a call that did not end. */
    private static String describe(Status status) {
        return status == null ? "no-end"
                : status.getCode() + (status.getDescription() == null ? "" : ":" + status.getDescription())
                        .replaceAll("\\s+", "_");
    }

    /** Summed utime and stime (clock ticks) of the processes in $BENCH_PIDS, from /proc/PID/stat. */
    private static long[] cpuTicks() throws IOException {
        long[] ticks = new long[2];
        String pids = System.getenv("BENCH_PIDS");
        for (String pid : pids == null ? new String[0] : pids.trim().split("\\s+")) {
            if (pid.isEmpty()) {
                continue;
            }
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(") ") + 2).split(" ");
            ticks[0] += Long.parseLong(fields[11]);
            ticks[1] += Long.parseLong(fields[12]);
        }
        return ticks;
    }

    private static double percentile(long[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, (long) (q * sorted.length))] / 1e6;
    }

    /** One message of any size each way, generated while it is sent and checked while its echo is read. */
    private static boolean big(String target, long bytes) throws Exception {
        var method = MethodDescriptor.<Long, Long>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName("inference.GRPCInferenceService/ModelInfer")
                .setRequestMarshaller(new PatternMarshaller()).setResponseMarshaller(new PatternMarshaller()).build();
        ManagedChannel channel = channel(target);
        Long[] echoed = {null};
        long start = System.nanoTime();
        ClientCall<Long, Long> call = channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(300, TimeUnit.SECONDS));
        Ending<?> listener = start(call, new Ending<>() {
            @Override
            public void onMessage(Long matching) {
                echoed[0] = matching;
            }
        });
        call.sendMessage(bytes);
        call.halfClose();
        Status end = listener.await(310);
        double elapsed = (System.nanoTime() - start) / 1e9;
        channel.shutdownNow();
        boolean intact = echoed[0] != null && echoed[0] == bytes;
        System.out.printf("status=%s bytes=%d echoed_intact=%s seconds=%.3f%s%n", ok(end) && intact ? "OK" : "FAILED",
                bytes, intact, elapsed, ok(end) ? "" : " detail=" + describe(end));
        return ok(end) && intact;
    }

    /** A long bidi stream of generated messages, sent while the transport is ready, each echo checked. */
    private static boolean stream(String target, long total, int messageBytes) throws Exception {
        var method = MethodDescriptor.<Long, Long>newBuilder().setType(MethodDescriptor.MethodType.BIDI_STREAMING)
                .setFullMethodName("inference.GRPCInferenceService/ModelStreamInfer")
                .setRequestMarshaller(new PatternMarshaller()).setResponseMarshaller(new PatternMarshaller()).build();
        long messages = (total + messageBytes - 1) / messageBytes;
        ManagedChannel channel = channel(target);
        long[] sent = {0};
        long[] intact = {0};
        long start = System.nanoTime();
        ClientCall<Long, Long> call = channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(550, TimeUnit.SECONDS));
        // All callbacks run serialized on the channel's executor; the fields are touched only there (and after close).
        Ending<?> listener = start(call, new Ending<>() {
            @Override
            public void onReady() {
                while (call.isReady() && sent[0] < messages) {
                    call.sendMessage((long) messageBytes);
                    if (++sent[0] == messages) {
                        call.halfClose();
                    }
                }
            }

            @Override
            public void onMessage(Long matching) {
                if (matching == messageBytes) {
                    intact[0]++;
                }
                call.request(1);
            }
        });
        Status end = listener.await(560);
        double elapsed = (System.nanoTime() - start) / 1e9;
        channel.shutdownNow();
        boolean ok = ok(end) && intact[0] == messages;
        System.out.printf("status=%s bytes=%d messages=%d echoed_intact=%d seconds=%.3f%s%n", ok ? "OK" : "FAILED",
                messages * messageBytes, messages, intact[0], elapsed, ok(end) ? "" : " detail=" + describe(end));
        return ok;
    }

    /**
     * A message is its length: {@link #stream} generates that many pattern bytes, {@link #parse} answers how many
     * leading bytes matched the pattern (the message's length when intact). Neither holds the message.
     */
    private static final class PatternMarshaller implements MethodDescriptor.Marshaller<Long> {
        @Override
        public InputStream stream(Long length) {
            return new PatternStream(length);
        }

        @Override
        public Long parse(InputStream in) {
            byte[] buf = new byte[1 << 16];
            long position = 0;
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    for (int i = 0; i < n; i++, position++) {
                        if (buf[i] != pattern(position)) {
                            return position;
                        }
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return position;
        }
    }

    private static final class PatternStream extends InputStream implements KnownLength {
        private final long length;
        private long position;

        PatternStream(long length) {
            this.length = length;
        }

        @Override
        public int read() {
            return position < length ? pattern(position++) & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= length) {
                return -1;
            }
            int n = (int) Math.min(len, length - position);
            for (int i = 0; i < n; i++) {
                b[off + i] = pattern(position++);
            }
            return n;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, length - position);
        }
    }
}

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the gateway's time went in one JFR recording (JDK 17's {@code jfr} has no {@code view}): CPU of the JVM
 * (user / system, from jdk.CPULoad), the busiest threads (jdk.ThreadCPULoad), GC pauses, the hottest methods by
 * Java execution samples (self, and inclusive: on the stack at all), and the classes allocated most.
 * Usage: {@code java JfrSummary recording.jfr}; prints markdown.
 */
public final class JfrSummary {

    /** Packages whose inclusive share is shown: the gateway's own code, its logging and metrics, the stacks. */
    private static final List<String> AREAS = List.of("dev.functiongateway.", "dev.functiongateway.proxy.",
            "dev.functiongateway.auth.", "dev.functiongateway.routing.", "dev.functiongateway.observability.AccessLog",
            "dev.functiongateway.observability.CallMetrics", "ch.qos.logback.", "io.micrometer.", "io.grpc.",
            "io.netty.handler.codec.http2.", "io.netty.channel.epoll.", "io.netty.buffer.");

    public static void main(String[] args) throws Exception {
        List<RecordedEvent> events = RecordingFile.readAllEvents(Path.of(args[0]));
        Instant first = null;
        Instant last = null;
        double user = 0;
        double system = 0;
        double machine = 0;
        int loads = 0;
        Map<String, double[]> threads = new HashMap<>();   // thread name → {sum user, sum system, samples}
        int gcs = 0;
        Duration pauses = Duration.ZERO;
        int samples = 0;
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Integer> byArea = new HashMap<>();
        Map<String, Integer> nativeTop = new HashMap<>();
        int nativeSamples = 0;
        Map<String, Long> allocated = new HashMap<>();
        Map<String, Long> allocationSites = new HashMap<>();
        int compilations = 0;
        Duration compiling = Duration.ZERO;
        Map<String, Integer> compiled = new HashMap<>();
        Map<String, Integer> deoptimized = new HashMap<>();
        int deoptimizations = 0;
        long allocatedTotal = 0;
        for (RecordedEvent e : events) {
            // Some events carry times from before the recording (thread starts, settings): the duration is the
            // span of the periodic and sampled events.
            if (e.getEventType().getName().matches("jdk\\.(CPULoad|ExecutionSample|NativeMethodSample)")) {
                first = first == null || e.getStartTime().isBefore(first) ? e.getStartTime() : first;
                last = last == null || e.getEndTime().isAfter(last) ? e.getEndTime() : last;
            }
            switch (e.getEventType().getName()) {
                case "jdk.CPULoad" -> {
                    user += e.getFloat("jvmUser");
                    system += e.getFloat("jvmSystem");
                    machine += e.getFloat("machineTotal");
                    loads++;
                }
                case "jdk.ThreadCPULoad" -> {
                    String name = e.getThread("eventThread") == null ? "?" : e.getThread("eventThread").getJavaName();
                    double[] t = threads.computeIfAbsent(name, k -> new double[3]);
                    t[0] += e.getFloat("user");
                    t[1] += e.getFloat("system");
                    t[2]++;
                }
                case "jdk.GarbageCollection" -> {
                    gcs++;
                    pauses = pauses.plus(e.getDuration("sumOfPauses"));
                }
                case "jdk.ExecutionSample" -> {
                    RecordedStackTrace stack = e.getStackTrace();
                    if (stack == null || stack.getFrames().isEmpty()) {
                        continue;
                    }
                    samples++;
                    self.merge(method(stack.getFrames().get(0)), 1, Integer::sum);
                    Set<String> seen = new HashSet<>();
                    Set<String> areas = new HashSet<>();
                    for (RecordedFrame f : stack.getFrames()) {
                        if (seen.add(method(f))) {
                            inclusive.merge(method(f), 1, Integer::sum);
                        }
                        for (String area : AREAS) {
                            if (method(f).startsWith(area)) {
                                areas.add(area);
                            }
                        }
                    }
                    areas.forEach(a -> byArea.merge(a, 1, Integer::sum));
                }
                case "jdk.NativeMethodSample" -> {
                    RecordedStackTrace stack = e.getStackTrace();
                    if (stack != null && !stack.getFrames().isEmpty()) {
                        nativeSamples++;
                        nativeTop.merge(method(stack.getFrames().get(0)), 1, Integer::sum);
                    }
                }
                case "jdk.ObjectAllocationSample" -> {
                    long weight = e.getLong("weight");
                    allocated.merge(e.getClass("objectClass").getName(), weight, Long::sum);
                    RecordedStackTrace stack = e.getStackTrace();
                    if (stack != null && !stack.getFrames().isEmpty()) {
                        allocationSites.merge(site(stack.getFrames()), weight, Long::sum);
                    }
                    allocatedTotal += weight;
                }
                case "jdk.Compilation" -> {
                    compilations++;
                    compiling = compiling.plus(e.getDuration());
                    compiled.merge(method((RecordedMethod) e.getValue("method")), 1, Integer::sum);
                }
                case "jdk.Deoptimization" -> {
                    deoptimizations++;
                    deoptimized.merge(method((RecordedMethod) e.getValue("method")) + " (" + e.getString("reason") + ")", 1,
                            Integer::sum);
                }
                default -> { }
            }
        }
        double seconds = first == null ? 0 : Duration.between(first, last).toMillis() / 1000.0;
        System.out.printf("# JFR summary of %s (%.1f s)%n%n", Path.of(args[0]).getFileName(), seconds);
        if (loads > 0) {
            System.out.printf("JVM CPU (jdk.CPULoad, share of all cores): user %.1f%%, system %.1f%%; whole machine %.1f%%.%n%n",
                    100 * user / loads, 100 * system / loads, 100 * machine / loads);
        }
        System.out.printf("GC: %d collections, %d ms of pauses (%.1f%% of the recording).%n%n", gcs, pauses.toMillis(),
                seconds == 0 ? 0 : 100 * pauses.toMillis() / 1000.0 / seconds);
        // A group's share of all cores: the sum of its threads' mean loads.
        Map<String, double[]> groups = new HashMap<>();
        threads.forEach((name, t) -> {
            double[] g = groups.computeIfAbsent(name.replaceAll("[0-9]+", "#"), k -> new double[2]);
            g[0] += t[0] / t[2];
            g[1] += t[1] / t[2];
        });
        System.out.println("Busiest threads (mean share of all cores; digits in names folded to #):");
        System.out.println();
        System.out.println("| threads | user % | system % |");
        System.out.println("|---|---|---|");
        groups.entrySet().stream()
                .sorted((a, b) -> Double.compare(b.getValue()[0] + b.getValue()[1], a.getValue()[0] + a.getValue()[1]))
                .limit(10)
                .forEach(g -> System.out.printf("| %s | %.1f | %.1f |%n", g.getKey(), 100 * g.getValue()[0],
                        100 * g.getValue()[1]));
        System.out.println();
        System.out.printf("Java execution samples: %d (JFR samples only threads running Java code; time in the kernel, "
                + "in native code and in GC is not in them).%n%n", samples);
        table("Samples with a frame of (inclusive, by package)", byArea, samples, AREAS.size());
        table("Top methods, self (top frame)", self, samples, 20);
        table("Top methods, inclusive (anywhere on the stack)", inclusive, samples, 30);
        System.out.printf("Threads in native methods: %d samples (waiting or working: epoll_wait is waiting).%n%n",
                nativeSamples);
        table("Top native methods", nativeTop, nativeSamples, 8);
        System.out.printf("JIT: %d compilations (%d ms, the compiler threads' time), %d deoptimizations.%n%n",
                compilations, compiling.toMillis(), deoptimizations);
        table("Most often compiled methods (count)", compiled, 1, 8, false);
        table("Most often deoptimized (count)", deoptimized, 1, 8, false);
        if (allocatedTotal > 0) {
            System.out.printf("Allocation (sampled weight): %.0f MiB/s in all.%n%n", allocatedTotal / 1048576.0 / seconds);
            long all = allocatedTotal;
            System.out.println("| class | share % |");
            System.out.println("|---|---|");
            allocated.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(12)
                    .forEach(a -> System.out.printf("| %s | %.1f |%n", a.getKey(), 100.0 * a.getValue() / all));
            System.out.println();
            System.out.println("| allocating method (← first caller outside the JDK and Guava) | share % |");
            System.out.println("|---|---|");
            allocationSites.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(15)
                    .forEach(a -> System.out.printf("| %s | %.1f |%n", a.getKey(), 100.0 * a.getValue() / all));
        }
    }

    /** The allocating method, and the first caller outside the JDK and Guava when it is in them. */
    private static String site(List<RecordedFrame> frames) {
        String top = method(frames.get(0));
        for (RecordedFrame f : frames) {
            String m = method(f);
            if (!m.startsWith("java.") && !m.startsWith("jdk.") && !m.startsWith("com.google.common.")) {
                return m.equals(top) ? top : top + " ← " + m;
            }
        }
        return top;
    }

    private static String method(RecordedFrame f) {
        return method(f.getMethod());
    }

    private static String method(RecordedMethod m) {
        return m == null ? "?" : m.getType().getName() + "." + m.getName();
    }

    private static void table(String title, Map<String, Integer> counts, int total, int limit) {
        table(title, counts, total, limit, true);
    }

    private static void table(String title, Map<String, Integer> counts, int total, int limit, boolean percent) {
        System.out.println(title + ":");
        System.out.println();
        System.out.println(percent ? "| method | samples % |" : "| method | count |");
        System.out.println("|---|---|");
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(limit)
                .forEach(c -> System.out.printf(percent ? "| %s | %.1f |%n" : "| %s | %.0f |%n", c.getKey(),
                        percent ? 100.0 * c.getValue() / total : (double) c.getValue()));
        System.out.println();
    }
}

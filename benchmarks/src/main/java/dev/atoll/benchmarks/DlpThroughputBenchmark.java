package dev.atoll.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.dlp.Direction;
import dev.atoll.gateway.dlp.DlpEngine;
import dev.atoll.gateway.dlp.DlpResult;
import dev.atoll.gateway.dlp.ScanContext;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * DLP scan throughput on one core: the built-in rule pack and default policy over a payload of
 * {@code size} bytes (serialised JSON), {@code clean} or {@code dirty} (one fake secret or PII value
 * about every 2 KB), as a parsed JSON tree ({@code json}: what the gateway scans) or as text
 * ({@code text}: a fetch body). The direction is OUTBOUND, so a dirty payload is also redacted (a copy of
 * the tree is made): the measured cost is the whole scan-and-act. The {@code bytes} secondary result is
 * bytes scanned per second; the goal is 200 MB/s on clean payloads.
 *
 * <p>Run (from the repository root; about 7 minutes; JSON at 16 KB and 1 MB needs the longer warm-up):
 * <pre>
 * benchmarks/run.sh DlpThroughputBenchmark -f 1 -wi 5 -w 3s -i 5 -r 2s -rf json -rff benchmarks/target/dlp-throughput.json
 * </pre>
 */
@Fork(1)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DlpThroughputBenchmark {

    /** The engine and the payload. */
    @State(Scope.Benchmark)
    public static class Payload {
        /** Payload size in bytes of serialised JSON. */
        @Param({"1024", "16384", "1048576"})
        public int size;

        /** {@code clean} or {@code dirty}. */
        @Param({"clean", "dirty"})
        public String kind;

        /** {@code json} (a parsed tree) or {@code text}. */
        @Param({"json", "text"})
        public String format;

        DlpEngine engine;
        JsonNode tree;
        String text;
        int bytes;
        final ScanContext context = ScanContext.of("bench", "bench_tool", Direction.OUTBOUND);

        /** Builds the engine and the payload, and checks that the payload is what its name says. */
        @Setup(Level.Trial)
        public void setUp() {
            engine = DlpEngine.create();
            tree = DlpPayloads.payload(size, kind.equals("dirty"));
            text = DlpPayloads.text(tree);
            bytes = DlpPayloads.bytes(tree);
            int findings = engine.scan(tree, context).findings().size();
            if (kind.equals("clean") != (findings == 0)) {
                throw new IllegalStateException(kind + " payload has " + findings + " findings");
            }
            System.out.println("# payload " + kind + " " + format + ": " + bytes + " bytes, " + findings + " findings");
        }
    }

    /**
     * Bytes scanned, reported by JMH as a rate (bytes per second of wall time). On a shared machine the
     * benchmark thread does not get a whole core, so each iteration also prints bytes per second of the
     * thread's own CPU time ({@code # cpu-throughput}), the number to compare with the per-core goal.
     */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Counters {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        /** Bytes scanned so far in the iteration. */
        public long bytes;

        private long cpuStart;

        /** Resets per iteration. */
        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
            cpuStart = THREADS.getCurrentThreadCpuTime();
        }

        /** Prints the iteration's throughput per CPU second of the benchmark thread. */
        @TearDown(Level.Iteration)
        public void report() {
            double cpu = (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e9;
            System.out.printf("# cpu-throughput %.1f MB/s (%.2f s CPU)%n", bytes / cpu / 1e6, cpu);
        }
    }

    /**
     * One scan of the payload.
     *
     * @param p the payload
     * @param c the byte counter
     * @return the result
     */
    @Benchmark
    public DlpResult<?> scan(Payload p, Counters c) {
        c.bytes += p.bytes;
        return p.format.equals("json") ? p.engine.scan(p.tree, p.context) : p.engine.scanText(p.text, p.context);
    }
}

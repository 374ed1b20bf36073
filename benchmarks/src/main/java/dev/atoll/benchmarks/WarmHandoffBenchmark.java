package dev.atoll.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolRuntime;
import dev.atoll.runtime.WarmContext;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Warm handoff: the context is prepared ahead ({@link ToolRuntime#prepare(Tool)}: fresh context,
 * bootstrap and module evaluated, on the benchmark thread, outside the measured part) and only
 * {@link ToolRuntime#call(WarmContext, JsonNode)} is measured: handoff to a guest thread, the call,
 * closing the context, the result back. Compare with {@link ColdStartBenchmark}, which pays for the
 * preparation on the call path.
 *
 * <p>Caveats of preparing in {@code @Setup(Level.Invocation)}: JMH times each invocation separately
 * (two {@code System.nanoTime()} calls, tens of ns, negligible here); the preparation just before each
 * call leaves its garbage and cache state to the measured call, and on this 2-core machine a GC or a
 * JIT compilation triggered by preparing may land in the measured part. {@code throughput} therefore
 * counts only measured time: it is the inverse of the mean handoff-plus-call time, i.e. what one caller
 * could reach if contexts were always ready (prepared on otherwise idle cores), not a node's
 * end-to-end rate. The cost of preparing is reported beside it as {@code ·prepare.cpu}.
 *
 * <p>Run (from the repository root). With the optimizing runtime the numbers settle only after about
 * 80 s of calls on this 2-core machine (Graal compiles the guest code, and is itself Java code that
 * HotSpot must warm up first), hence the long warm-up; about 4 minutes:
 * <pre>
 * benchmarks/run.sh WarmHandoffBenchmark -p jit=true -f 1 -wi 18 -w 5s -i 5 -r 4s -rf json -rff benchmarks/target/warm-jit.json
 * </pre>
 * JIT off, on a JVM without JVMCI (compilation cannot be switched off inside the CONSTRAINED
 * sandbox, see {@code docs/benchmarks.md}); about 3 minutes:
 * <pre>
 * ATOLL_JIT=0 benchmarks/run.sh WarmHandoffBenchmark -p jit=false -f 1 -wi 12 -w 5s -i 5 -r 4s -rf json -rff benchmarks/target/warm-nojit.json
 * </pre>
 */
@Fork(1)
@Warmup(iterations = 18, time = 5)
@Measurement(iterations = 5, time = 4)
public class WarmHandoffBenchmark {

    /** The runtime and the tool, shared by all benchmark threads. */
    @State(Scope.Benchmark)
    public static class Node extends TinyToolState {}

    /** One benchmark thread's next prepared context. */
    @State(Scope.Thread)
    public static class Slot {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        private Optional<WarmContext> warm = Optional.empty();

        /**
         * Prepares the context for the next call, on this (platform) thread, outside the measured part.
         *
         * @param node the shared runtime
         */
        @Setup(Level.Invocation)
        public void prepare(Node node) {
            long cpu = THREADS.getCurrentThreadCpuTime();
            WarmContext w = node.runtime.prepare(node.tool);
            CallMeter.recordPrepare(
                    THREADS.getCurrentThreadCpuTime() - cpu, w.preparationTime().toNanos());
            if (!w.ready()) {
                // A failed preparation still answers its call, with the failure: show it.
                throw new IllegalStateException("preparing a warm context failed: "
                        + node.runtime.call(w, node.args).toJson());
            }
            warm = Optional.of(w);
        }

        /** Discards a context the benchmark did not use (only if the benchmark method failed). */
        @TearDown(Level.Invocation)
        public void discard() {
            warm.ifPresent(WarmContext::close);
            warm = Optional.empty();
        }

        WarmContext take() {
            WarmContext w = warm.orElseThrow(() -> new IllegalStateException("no prepared context"));
            warm = Optional.empty();
            return w;
        }
    }

    /**
     * Distribution of the time of one call in a prepared context.
     *
     * @param node the runtime
     * @param slot the prepared context
     * @return the result
     */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public CallResult latency(Node node, Slot slot) {
        return CallMeter.record(node.runtime.call(slot.take(), node.args));
    }

    /**
     * Calls per second of measured time (preparation excluded, see the class comment).
     *
     * @param node the runtime
     * @param slot the prepared context
     * @return the result
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public CallResult throughput(Node node, Slot slot) {
        return CallMeter.record(node.runtime.call(slot.take(), node.args));
    }
}

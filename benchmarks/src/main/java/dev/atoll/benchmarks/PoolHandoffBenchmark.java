package dev.atoll.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.isolate.pool.IsolatePool;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolRuntime;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Cold versus warm through the {@link IsolatePool}, one caller, latency of {@code pool.call(tool, args)}
 * for the tiny tool:
 *
 * <ul>
 *   <li>{@code path=cold}: a pool with {@code maxWarmPerTool(0)}, so every call creates its context on
 *       the call path (admission, then {@code runtime.call(tool, args)}: create + module + call on a
 *       guest thread).</li>
 *   <li>{@code path=warm}: a warm context is taken from the pool and handed to a guest thread
 *       ({@code runtime.call(warmContext, args)}).</li>
 *   <li>{@code path=warm-caller}: as {@code warm}, but with {@code callOnCallerThread(true)} the call runs
 *       on the benchmark thread itself ({@code runtime.callOnCurrentThread}), with no handoff.</li>
 * </ul>
 *
 * <p>For the warm paths, {@code @Setup(Level.Invocation)} waits (outside the measured part) until the
 * pool is full again and nothing is being created, so that each measured call is a warm hit and the
 * replenisher does not compete with it for the two cores; {@code ·pool.warm} reports the share of warm
 * hits (100 % expected). This measures the pooled handoff plus the call, not what a saturated node
 * achieves (see {@link PoolThroughputBenchmark}).
 *
 * <p>Run from the repository root; the JIT needs about 60-70 s of calls to settle, hence the warm-up
 * (about 5 minutes for the three paths):
 * <pre>
 * benchmarks/run.sh PoolHandoffBenchmark -f 1 -wi 12 -w 5s -i 5 -r 4s -rf json -rff benchmarks/target/pool-handoff.json
 * </pre>
 */
@Fork(1)
@Warmup(iterations = 12, time = 5)
@Measurement(iterations = 5, time = 4)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PoolHandoffBenchmark {

    /** The runtime, the pool and the tool. */
    @State(Scope.Benchmark)
    public static class Node extends MeteredState {
        /** Which call path: {@code cold}, {@code warm} (handoff to a guest thread) or {@code warm-caller}. */
        @Param({"cold", "warm", "warm-caller"})
        public String path;

        private ToolRuntime runtime;
        private IsolatePool pool;
        private Tool tool;
        private final JsonNode args = Fixtures.args();

        /** Creates the runtime (JIT on, checked), the pool and deploys the tiny tool. */
        @Setup(Level.Trial)
        public void start() {
            CallMeter.reset();
            runtime = Fixtures.runtime(true);
            IsolatePool.Builder b = IsolatePool.builder(runtime).observer(PoolMeter.INSTANCE);
            switch (path) {
                case "cold" -> b.maxWarmPerTool(0);
                case "warm" -> b.minWarmPerTool(1);
                case "warm-caller" -> b.minWarmPerTool(1).callOnCallerThread(true);
                default -> throw new IllegalArgumentException("path must be cold, warm or warm-caller, got " + path);
            }
            pool = b.build();
            Fixtures.tinyTool(runtime);
            tool = pool.deploy(Fixtures.tinySource());
        }

        /** Warm paths: waits until the pool is full and idle, so the next call is a warm hit. */
        @Setup(Level.Invocation)
        public void refilled() {
            if (path.equals("cold")) {
                return;
            }
            awaitRefilled(pool, 10);
        }

        /**
         * Prints the receipts' percentiles and the pool's counters, closes the pool and the runtime.
         *
         * @param params injected by JMH
         */
        @TearDown(Level.Trial)
        public void stop(BenchmarkParams params) {
            closePool(params, "path=" + path, pool, runtime);
        }
    }

    /**
     * One call through the pool.
     *
     * @param node the pool and the tool
     * @return the result
     */
    @Benchmark
    public CallResult call(Node node) {
        return CallMeter.record(node.pool.call(node.tool, node.args));
    }
}

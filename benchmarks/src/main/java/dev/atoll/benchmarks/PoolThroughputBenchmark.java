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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Sustained fresh-context throughput in-process: four benchmark threads call the tiny tool through the
 * {@link IsolatePool} back to back, while its replenisher threads create the warm contexts that
 * replace the used ones. Every call still gets a fresh context; when the pool runs dry a call creates
 * its own (a cold start, counted in {@code ·pool.warm}). The score is calls per second of the whole
 * node; {@code ·process.cpu} is the JVM's CPU per call, creation included.
 *
 * <p>{@code onCaller=false} hands each call to the runtime's guest threads; {@code onCaller=true} runs it
 * on the calling (platform) thread ({@code callOnCallerThread(true)}).
 *
 * <p>Run from the repository root (about 3.5 minutes):
 * <pre>
 * benchmarks/run.sh PoolThroughputBenchmark -f 1 -wi 12 -w 5s -i 5 -r 4s -rf json -rff benchmarks/target/pool-throughput.json
 * </pre>
 */
@Fork(1)
@Warmup(iterations = 12, time = 5)
@Measurement(iterations = 5, time = 4)
@Threads(4)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PoolThroughputBenchmark {

    /** The runtime, the pool and the tool, shared by the benchmark threads. */
    @State(Scope.Benchmark)
    public static class Node extends MeteredState {
        /** Whether calls run on the calling thread instead of a guest thread. */
        @Param({"false", "true"})
        public boolean onCaller;

        /** Threads that create warm contexts. */
        @Param({"1"})
        public int replenishThreads;

        private ToolRuntime runtime;
        private IsolatePool pool;
        private Tool tool;
        private final JsonNode args = Fixtures.args();

        /** Creates the runtime (JIT on, checked), the pool, and deploys the tiny tool. */
        @Setup(Level.Trial)
        public void start() {
            CallMeter.reset();
            runtime = Fixtures.runtime(true);
            pool = IsolatePool.builder(runtime)
                    .maxWarmPerTool(16)
                    .replenishThreads(replenishThreads)
                    .callOnCallerThread(onCaller)
                    .observer(PoolMeter.INSTANCE)
                    .build();
            Fixtures.tinyTool(runtime);
            tool = pool.deploy(Fixtures.tinySource());
        }

        /**
         * Prints the receipts' percentiles and the pool's counters, closes the pool and the runtime.
         *
         * @param params injected by JMH
         */
        @TearDown(Level.Trial)
        public void stop(BenchmarkParams params) {
            closePool(params, "onCaller=" + onCaller, pool, runtime);
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

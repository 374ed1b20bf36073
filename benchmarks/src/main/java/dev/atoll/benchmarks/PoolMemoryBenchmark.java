package dev.atoll.benchmarks;

import dev.atoll.isolate.pool.IsolatePool;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolRuntime;
import dev.atoll.runtime.ToolSource;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
 * Retained heap per pooled context of the tiny tool, in JavaScript or ({@code -p language=python})
 * Python on GraalPy: the heap in use after full GCs with {@code contexts} warm
 * contexts of the tiny tool in the pool, minus the same right after retiring the tool (which closes
 * them), divided by {@code contexts}. Reported as {@code ·pool.bytesPerContext}; the primary score is the wall
 * time to fill the pool with {@code contexts} contexts on the replenisher threads plus the GCs, which is
 * only a by-product. Each iteration measures a baseline with the pool empty, fills the pool, measures,
 * retires the tool and measures again; all three heap figures are printed.
 *
 * <p>Run from the repository root (JS: about 1 minute; Python: a few minutes, each GraalPy context
 * takes tens to hundreds of milliseconds to create):
 * <pre>
 * benchmarks/run.sh PoolMemoryBenchmark -f 1 -wi 2 -i 5 -rf json -rff benchmarks/target/pool-memory.json
 * benchmarks/run.sh PoolMemoryBenchmark -p language=python -p contexts=20 -f 1 -wi 1 -i 3 -rf json -rff benchmarks/target/python-pool-memory.json
 * </pre>
 */
@Fork(1)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PoolMemoryBenchmark {

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    /** The runtime and a pool sized to hold {@link #contexts} contexts of one tool. */
    @State(Scope.Benchmark)
    public static class Node {
        /** Warm contexts held in the pool. */
        @Param({"200"})
        public int contexts;

        /** {@code js} or {@code python}. */
        @Param({"js"})
        public String language;

        private ToolRuntime runtime;
        private IsolatePool pool;
        private long baseline;

        /** Creates the runtime (JIT on, checked) and the pool, and warms up the creation path. */
        @Setup(Level.Trial)
        public void start() {
            runtime = Fixtures.runtime(true);
            pool = IsolatePool.builder(runtime)
                    .minWarmPerTool(contexts)
                    .maxWarmPerTool(contexts)
                    .maxWarmTotal(contexts)
                    .memoryBudgetBytes(Long.MAX_VALUE)
                    .replenishThreads(2)
                    .idleShrinkAfter(java.time.Duration.ofDays(1))
                    .observer(PoolMeter.INSTANCE)
                    .build();
            if (language.equals("js")) {
                Fixtures.tinyTool(runtime); // checks the tool answers before anything is measured
            }
            pool.load(source());
        }

        ToolSource source() {
            return switch (language) {
                case "js" -> Fixtures.tinySource();
                case "python" -> PythonPoolBenchmark.tinySource();
                default -> throw new IllegalArgumentException("language must be js or python, got " + language);
            };
        }

        String toolName() {
            return language.equals("js") ? "tiny" : "tiny_py";
        }

        /** Empties the pool (the tool stays cached) and measures the baseline heap. */
        @Setup(Level.Iteration)
        public void empty() {
            pool.retire(toolName());
            pool.load(source());
            baseline = usedAfterGc();
        }

        /** Closes the pool and the runtime. */
        @TearDown(Level.Trial)
        public void stop() {
            System.out.println("# atoll pool: " + pool.stats());
            pool.close();
            runtime.close();
        }
    }

    /** Heap in use after full GCs, repeated until two readings agree within 0.5 % (at most 10). */
    static long usedAfterGc() {
        long previous = Long.MAX_VALUE;
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            used = MEMORY.getHeapMemoryUsage().getUsed();
            if (Math.abs(used - previous) < previous / 200) {
                break;
            }
            previous = used;
        }
        return used;
    }

    /**
     * Deploys the tool, waits until the pool holds {@code contexts} warm contexts and measures the heap.
     *
     * @param node the pool
     * @return the retained bytes per context
     */
    @Benchmark
    public double fill(Node node) {
        Tool tool = node.pool.deploy(node.source());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (node.pool.stats(node.toolName()).orElseThrow().warm() < node.contexts) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the pool did not fill within 300 s: " + node.pool.stats());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
        long full = usedAfterGc();
        node.pool.retire(node.toolName());
        long empty = usedAfterGc();
        // What closing the contexts released; the baseline before filling is printed as a cross-check.
        double perContext = (full - empty) / (double) node.contexts;
        PoolMeter.bytesPerContext(perContext);
        System.out.printf(
                "# atoll pool memory: %d contexts of %s: heap after GC %d (empty, before) / %d (full)"
                        + " / %d (empty, after); %.0f bytes retained per context (%.0f against the earlier baseline)%n",
                node.contexts,
                tool,
                node.baseline,
                full,
                empty,
                perContext,
                (full - node.baseline) / (double) node.contexts);
        return perContext;
    }
}

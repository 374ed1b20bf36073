package dev.atoll.benchmarks;

import dev.atoll.isolate.pool.IsolatePool;
import dev.atoll.isolate.pool.PoolStats;
import dev.atoll.runtime.ToolRuntime;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Base of the benchmarks' {@code @State} classes that record receipts with {@link CallMeter}: keeps
 * percentile samples to measurement iterations and prints them at the end of a trial.
 */
public abstract class MeteredState {

    /**
     * Keeps percentile samples only in measurement iterations.
     *
     * @param iteration injected by JMH
     */
    @Setup(Level.Iteration)
    public void iteration(IterationParams iteration) {
        CallMeter.measuring(iteration.getType() == IterationType.MEASUREMENT);
    }

    /**
     * Stops sampling and prints the receipts' percentiles; call from the trial tear-down.
     *
     * @param params the trial's parameters
     * @param variant the parameter values, e.g. {@code jit=true}
     */
    protected static void printReceipts(BenchmarkParams params, String variant) {
        CallMeter.measuring(false);
        CallMeter.printSummary(params.getBenchmark() + " " + variant);
    }

    /**
     * Waits until the pool's only tool has its target of warm contexts and nothing is being created,
     * so that the next call is a warm hit.
     *
     * @param pool the pool
     * @param seconds how long to wait before failing the benchmark
     */
    protected static void awaitRefilled(IsolatePool pool, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            PoolStats s = pool.stats();
            PoolStats.ToolStats t = s.tools().getFirst();
            if (t.warm() >= Math.max(1, t.target()) && s.creating() == 0) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the pool did not refill within " + seconds + " s: " + s);
            }
            LockSupport.parkNanos(20_000);
        }
    }

    /**
     * Ends a pool benchmark's trial: prints the receipts' percentiles and the pool's counters, closes
     * the pool and the runtime.
     *
     * @param params the trial's parameters
     * @param variant the parameter values
     * @param pool the pool
     * @param runtime its runtime
     */
    protected static void closePool(BenchmarkParams params, String variant, IsolatePool pool, ToolRuntime runtime) {
        printReceipts(params, variant);
        System.out.println("# atoll pool: " + pool.stats());
        pool.close();
        runtime.close();
    }
}

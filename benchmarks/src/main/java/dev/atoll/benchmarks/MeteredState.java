package dev.atoll.benchmarks;

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
}

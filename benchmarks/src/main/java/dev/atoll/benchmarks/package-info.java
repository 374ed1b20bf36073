/**
 * JMH benchmarks of Atoll's call path: {@link dev.atoll.benchmarks.ColdStartBenchmark} (fresh context,
 * module evaluation and call, all on the call path) and {@link dev.atoll.benchmarks.WarmHandoffBenchmark}
 * (context prepared ahead, only the handoff and the call measured), each with the optimizing (JIT)
 * runtime on and off. {@link dev.atoll.benchmarks.DlpThroughputBenchmark} and
 * {@link dev.atoll.benchmarks.DlpLatencyBenchmark} measure the DLP engine of the gateway.
 * {@link dev.atoll.benchmarks.CallMeter} collects the per-call receipts and
 * {@link dev.atoll.benchmarks.CallProfiler} turns them into JMH secondary results.
 *
 * <p>Run them with {@code benchmarks/run.sh}, which puts GraalVM and the runtime on the module path and
 * the Graal compiler on the upgrade module path, in the JMH host and in its forks; results and their
 * reading are in {@code docs/benchmarks.md}.
 *
 * <p>Null-marked (here, as the benchmarks have no module descriptor): no parameter, return value or
 * field is null unless it says {@code @Nullable} (NullAway checks it at compile time).
 */
@NullMarked
package dev.atoll.benchmarks;

import org.jspecify.annotations.NullMarked;

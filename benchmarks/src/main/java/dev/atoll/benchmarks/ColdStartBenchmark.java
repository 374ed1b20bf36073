package dev.atoll.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolRuntime;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cold start: one {@link ToolRuntime#call(Tool, JsonNode)} of a tiny tool, which creates a fresh
 * sandboxed context on a guest thread, evaluates the bootstrap and the tool module in it, runs the
 * call, closes the context and hands the result back. The engine (and so the parsed and compiled
 * code) is shared, as in production; nothing else survives between calls.
 *
 * <p>{@code latency} samples the time of each call as the caller sees it (p50, p99); {@code throughput}
 * counts calls per second from one caller thread. {@link CallProfiler} adds the receipts' guest CPU per
 * call ({@code ·guest.cpu}) and the whole JVM's CPU per call ({@code ·process.cpu}). Parameter
 * {@code jit}: {@code true} is the optimizing runtime (Graal JIT through JVMCI); {@code false} is guest
 * code interpreted only, which needs a JVM without JVMCI ({@code ATOLL_JIT=0}, see
 * {@code Fixtures.runtime}); the fork fails if the runtime reports otherwise.
 *
 * <p>Run (from the repository root). With the optimizing runtime the numbers settle only after about
 * 80 s of calls on this 2-core machine (Graal compiles the guest code, and is itself Java code that
 * HotSpot must warm up first), hence the long warm-up; about 4 minutes:
 * <pre>
 * benchmarks/run.sh ColdStartBenchmark -p jit=true -f 1 -wi 18 -w 5s -i 5 -r 4s -rf json -rff benchmarks/target/cold-jit.json
 * </pre>
 * JIT off, on a JVM without JVMCI (compilation cannot be switched off inside the CONSTRAINED
 * sandbox, see {@code docs/benchmarks.md}); about 3 minutes:
 * <pre>
 * ATOLL_JIT=0 benchmarks/run.sh ColdStartBenchmark -p jit=false -f 1 -wi 12 -w 5s -i 5 -r 4s -rf json -rff benchmarks/target/cold-nojit.json
 * </pre>
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 18, time = 5)
@Measurement(iterations = 5, time = 4)
public class ColdStartBenchmark extends TinyToolState {

    /**
     * Distribution of the time of one cold call.
     *
     * @return the result (sunk by JMH)
     */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public CallResult latency() {
        return CallMeter.record(runtime.call(tool, args));
    }

    /**
     * Cold calls per second, one after another from one caller thread.
     *
     * @return the result (sunk by JMH)
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public CallResult throughput() {
        return CallMeter.record(runtime.call(tool, args));
    }
}

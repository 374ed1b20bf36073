package dev.atoll.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolRuntime;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Shared state of the runtime benchmarks: a {@link ToolRuntime} checked to have the JIT on or off as
 * asked, the tiny tool loaded in it, and the call arguments.
 */
@State(Scope.Benchmark)
public abstract class TinyToolState extends MeteredState {

    /** Whether guest code is JIT-compiled ({@code false} needs {@code ATOLL_JIT=0}, see {@code Fixtures.runtime}). */
    @Param({"true", "false"})
    public boolean jit;

    /** The runtime, created per trial. */
    protected ToolRuntime runtime;
    /** The tiny tool, loaded per trial. */
    protected Tool tool;
    /** The arguments of every call. */
    protected final JsonNode args = Fixtures.args();

    /** Creates the runtime (checking its JIT state) and loads the tool. */
    @Setup(Level.Trial)
    public void start() {
        CallMeter.reset();
        runtime = Fixtures.runtime(jit);
        tool = Fixtures.tinyTool(runtime);
    }

    /**
     * Prints the receipts' percentiles and closes the runtime.
     *
     * @param params injected by JMH
     */
    @TearDown(Level.Trial)
    public void stop(BenchmarkParams params) {
        printReceipts(params, "jit=" + jit);
        runtime.close();
    }
}

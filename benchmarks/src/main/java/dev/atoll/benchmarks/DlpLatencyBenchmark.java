package dev.atoll.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.dlp.Direction;
import dev.atoll.gateway.dlp.DlpEngine;
import dev.atoll.gateway.dlp.ScanContext;
import dev.atoll.gateway.dlp.Verdict;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Latency DLP adds to one tool call, as a distribution (p50, p99, p99.9): the inbound scan of the
 * call's arguments and the outbound scan (and redaction, for dirty payloads) of its result, each
 * {@code size} bytes of JSON, built-in pack, default policy. The goal is p99 ≤ 1 ms for 16 KB.
 * Arguments are always clean (a dirty argument would be blocked before the tool runs); the result is
 * {@code clean} or {@code dirty}.
 *
 * <p>Run (from the repository root; about 1 minute):
 * <pre>
 * benchmarks/run.sh DlpLatencyBenchmark -f 1 -wi 3 -w 2s -i 5 -r 3s -rf json -rff benchmarks/target/dlp-latency.json
 * </pre>
 */
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DlpLatencyBenchmark {

    /** The engine, the arguments and the result. */
    @State(Scope.Benchmark)
    public static class Call {
        /** Size in bytes of the arguments and of the result. */
        @Param({"16384"})
        public int size;

        /** Whether the result is {@code clean} or {@code dirty}. */
        @Param({"clean", "dirty"})
        public String result;

        DlpEngine engine;
        JsonNode args;
        JsonNode out;
        final ScanContext in = ScanContext.of("bench", "bench_tool", Direction.INBOUND);
        final ScanContext back = ScanContext.of("bench", "bench_tool", Direction.OUTBOUND);

        /** Builds the engine and payloads; checks the arguments pass and a dirty result is redacted. */
        @Setup(Level.Trial)
        public void setUp() {
            engine = DlpEngine.create();
            args = DlpPayloads.payload(size, false);
            out = DlpPayloads.payload(size + 1, result.equals("dirty"));
            if (!(engine.scan(args, in).verdict() instanceof Verdict.Allow)) {
                throw new IllegalStateException("clean arguments were not allowed");
            }
            boolean redacted = engine.scan(out, back).verdict() instanceof Verdict.Redact;
            if (redacted != result.equals("dirty")) {
                throw new IllegalStateException(result + " result: redacted=" + redacted);
            }
        }
    }

    /**
     * The DLP work of one call: scan the arguments, then the result.
     *
     * @param c the call
     * @return the result's (possibly redacted) payload
     */
    @Benchmark
    public JsonNode call(Call c) {
        c.engine.scan(c.args, c.in).payloadOr(c.args);
        return c.engine.scan(c.out, c.back).payloadOr(c.out);
    }
}

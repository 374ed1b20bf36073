package dev.atoll.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolRuntime;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Not a JMH benchmark: the first seconds of a node are exactly what JMH's warm-up hides. Starts a
 * runtime (optionally with {@code jitWarmUp} and a wait as long as it), then makes cold calls of the
 * tiny tool from one caller and prints guest CPU and whole-process CPU per call in 5 s windows.
 *
 * <pre>
 * BENCH_MAIN=dev.atoll.benchmarks.WarmUpProbe benchmarks/run.sh SECONDS [WARMUP_SECONDS]
 * </pre>
 */
public final class WarmUpProbe {
    private WarmUpProbe() {}

    /**
     * @param args measured seconds, then optional background warm-up seconds (waited out first)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args.length > 0 ? args[0] : "20");
        int warm = Integer.parseInt(args.length > 1 ? args[1] : "0");
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (ToolRuntime runtime =
                ToolRuntime.builder().jitWarmUp(Duration.ofSeconds(warm)).build()) {
            Thread.sleep(warm * 1000L);
            Tool tool = Fixtures.tinyTool(runtime);
            JsonNode callArgs = Fixtures.args();
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            long windowStart = System.nanoTime();
            long process0 = os.getProcessCpuTime();
            long guestCpu = 0;
            int calls = 0;
            int window = 0;
            while (System.nanoTime() < end) {
                CallResult r = runtime.call(tool, callArgs);
                if (!r.ok()) {
                    throw new IllegalStateException(r.toJson().toString());
                }
                guestCpu += r.receipt().cpu().toNanos();
                calls++;
                if (System.nanoTime() - windowStart > 5_000_000_000L) {
                    long process1 = os.getProcessCpuTime();
                    System.out.printf(
                            "warm-up %d s, window %d: %d calls, guest cpu %.1f us/call, process cpu %.1f us/call%n",
                            warm, ++window, calls, guestCpu / 1e3 / calls, (process1 - process0) / 1e3 / calls);
                    windowStart = System.nanoTime();
                    process0 = process1;
                    guestCpu = 0;
                    calls = 0;
                }
            }
        }
        Runtime.getRuntime().halt(0);
    }
}

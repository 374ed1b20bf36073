package dev.atoll.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.host.bindings.EgressPolicy;
import dev.atoll.host.bindings.FetchBinding;
import dev.atoll.isolate.pool.IsolatePool;
import dev.atoll.isolate.pool.PoolStats;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolRuntime;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Not a JMH benchmark: the gateway's call path without HTTP. A runtime with the fetch binding installed
 * (as {@code atoll serve} has), an isolate pool with the gateway's defaults (one replenisher thread),
 * and {@code CALLERS} closed-loop callers on virtual threads (as Helidon's request threads are) or on
 * platform threads, calling the tiny tool through {@code pool.call}. Prints, per 5 s window: calls/s,
 * latency p50/p90/p99, share of warm hits, and whole-process CPU per call.
 *
 * <pre>
 * BENCH_MAIN=dev.atoll.benchmarks.GatewayPathProbe benchmarks/run.sh SECONDS CALLERS [virtual|platform] [fetch|nofetch] [REPLENISH_THREADS]
 * </pre>
 */
public final class GatewayPathProbe {
    private GatewayPathProbe() {}

    /**
     * @param args seconds, callers, caller kind, fetch binding or not, replenisher threads
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args.length > 0 ? args[0] : "60");
        int callers = Integer.parseInt(args.length > 1 ? args[1] : "1");
        boolean virtual = !(args.length > 2 && args[2].equals("platform"));
        boolean withFetch = !(args.length > 3 && args[3].equals("nofetch"));
        int replenish = Integer.parseInt(args.length > 4 ? args[4] : "1");
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ToolRuntime.Builder rb = ToolRuntime.builder();
        if (withFetch) {
            rb.binding(FetchBinding.builder()
                    .policy(EgressPolicy.builder().build())
                    .build());
        }
        System.out.printf(
                "# callers=%d %s fetch=%s replenish=%d%n",
                callers, virtual ? "virtual" : "platform", withFetch, replenish);
        try (ToolRuntime runtime = rb.build();
                IsolatePool pool =
                        IsolatePool.builder(runtime).replenishThreads(replenish).build()) {
            Tool tool = pool.deploy(Fixtures.tinySource());
            JsonNode callArgs = Fixtures.args();
            AtomicBoolean stop = new AtomicBoolean();
            int windowCount = (seconds + 4) / 5;
            long[][] samples = new long[callers][];
            long[][] lat = new long[callers][1 << 20];
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            Thread[] threads = new Thread[callers];
            for (int c = 0; c < callers; c++) {
                int me = c;
                Runnable loop = () -> {
                    int n = 0;
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        CallResult r = pool.call(tool, callArgs);
                        long t1 = System.nanoTime();
                        if (!r.ok()) {
                            System.out.println("# not ok: " + r.toJson());
                        }
                        if (n < lat[me].length) {
                            lat[me][n++] = ((t1 - start) / 5_000_000_000L) << 40 | (t1 - t0);
                        }
                    }
                    samples[me] = Arrays.copyOf(lat[me], n);
                };
                threads[c] = virtual
                        ? Thread.ofVirtual().start(loop)
                        : Thread.ofPlatform().start(loop);
            }
            long cpu0 = os.getProcessCpuTime();
            long hits0 = 0;
            long cold0 = 0;
            for (int w = 0; w < windowCount; w++) {
                long wEnd = Math.min(end, start + (w + 1) * 5_000_000_000L);
                Thread.sleep(Math.max(0, (wEnd - System.nanoTime()) / 1_000_000));
                long cpu1 = os.getProcessCpuTime();
                PoolStats.ToolStats t = pool.stats().tools().getFirst();
                long hits = t.warmHits() - hits0;
                long cold = t.coldStarts() - cold0;
                hits0 = t.warmHits();
                cold0 = t.coldStarts();
                long calls = hits + cold;
                System.out.printf(
                        "window %d: %d calls/s, warm %.0f %%, process cpu %.0f us/call, load %.2f%n",
                        w,
                        calls / 5,
                        100.0 * hits / Math.max(1, calls),
                        (cpu1 - cpu0) / 1e3 / Math.max(1, calls),
                        os.getSystemLoadAverage());
                cpu0 = cpu1;
            }
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            for (int w = 0; w < windowCount; w++) {
                List<Long> xs = new ArrayList<>();
                for (long[] s : samples) {
                    for (long v : s) {
                        if ((v >>> 40) == w) {
                            xs.add(v & ((1L << 40) - 1));
                        }
                    }
                }
                long[] a = xs.stream().mapToLong(Long::longValue).sorted().toArray();
                if (a.length > 0) {
                    System.out.printf(
                            "window %d latency: p50 %.1f us, p90 %.1f us, p99 %.1f us (%d calls)%n",
                            w,
                            a[a.length / 2] / 1e3,
                            a[(int) (a.length * 0.9)] / 1e3,
                            a[(int) (a.length * 0.99)] / 1e3,
                            a.length);
                }
            }
            System.out.println("# pool: " + pool.stats());
        }
        Runtime.getRuntime().halt(0);
    }
}

package dev.atoll.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.dlp.Direction;
import dev.atoll.gateway.dlp.DlpEngine;
import dev.atoll.gateway.dlp.ScanContext;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Not a JMH benchmark: scans one clean or dirty payload in a loop and prints, per window, megabytes
 * scanned per second of this thread's CPU time. For quick side-by-side comparisons and for profiling
 * the scanner with JFR (add {@code -XX:StartFlightRecording} through BENCH_JAVA_OPTS).
 *
 * <pre>
 * BENCH_MAIN=dev.atoll.benchmarks.DlpScanProbe benchmarks/run.sh SIZE [text|json] [clean|dirty] [WINDOWS] [WINDOW_S]
 * </pre>
 */
public final class DlpScanProbe {
    private DlpScanProbe() {}

    /**
     * @param args payload size in bytes, format, kind, number of windows, window seconds
     */
    public static void main(String[] args) {
        int size = Integer.parseInt(args.length > 0 ? args[0] : "16384");
        boolean text = !(args.length > 1 && args[1].equals("json"));
        boolean dirty = args.length > 2 && args[2].equals("dirty");
        int windows = Integer.parseInt(args.length > 3 ? args[3] : "20");
        double windowS = Double.parseDouble(args.length > 4 ? args[4] : "2");
        DlpEngine engine = DlpEngine.create();
        JsonNode tree = DlpPayloads.payload(size, dirty);
        String body = DlpPayloads.text(tree);
        int bytes = DlpPayloads.bytes(tree);
        ScanContext context = ScanContext.of("bench", "bench_tool", Direction.OUTBOUND);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sink = 0;
        double best = 0;
        double[] rates = new double[windows];
        for (int w = 0; w < windows; w++) {
            long cpu0 = mx.getCurrentThreadCpuTime();
            long end = System.nanoTime() + (long) (windowS * 1e9);
            long n = 0;
            while (System.nanoTime() < end) {
                sink += text
                        ? engine.scanText(body, context).findings().size()
                        : engine.scan(tree, context).findings().size();
                n++;
            }
            long cpu = mx.getCurrentThreadCpuTime() - cpu0;
            rates[w] = n * (double) bytes / (cpu / 1e9) / 1e6;
            best = Math.max(best, rates[w]);
            System.out.printf("window %2d: %6.1f MB/s per CPU second (%d scans)%n", w, rates[w], n);
        }
        double[] last = java.util.Arrays.copyOfRange(rates, windows / 2, windows);
        java.util.Arrays.sort(last);
        System.out.printf(
                "# size=%d %s %s: median of the second half %.1f MB/s, best %.1f (sink %d)%n",
                bytes, text ? "text" : "json", dirty ? "dirty" : "clean", last[last.length / 2], best, sink);
    }
}

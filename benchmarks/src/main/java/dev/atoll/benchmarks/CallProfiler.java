package dev.atoll.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.ScalarResult;

/**
 * JMH profiler ({@code -prof dev.atoll.benchmarks.CallProfiler}, which {@code benchmarks/run.sh} adds)
 * that reports, per iteration, the means of what {@link CallMeter} recorded, as secondary results:
 *
 * <ul>
 *   <li>{@code guest.cpu}: CPU time of the guest thread per call, from the receipts (µs/call);</li>
 *   <li>{@code guest.wall}: wall time on the guest thread per call, from the receipts (µs/call);</li>
 *   <li>{@code guest.alloc}: bytes allocated by the guest thread per call, from the receipts;</li>
 *   <li>{@code prepare.cpu}: CPU time of the caller preparing a warm context (warm benchmarks only);</li>
 *   <li>{@code process.cpu}: CPU time of the whole JVM per call (all threads: caller, guest threads,
 *       watchdog, GC, JIT compilers, JMH itself), the honest total cost of a call.</li>
 *   <li>pool benchmarks only ({@link PoolMeter}): {@code pool.warm} (share of calls served by a warm
 *       context, %), {@code pool.create.wall} (wall time of one background creation, µs) and
 *       {@code pool.bytesPerContext} (retained heap per warm context, {@link PoolMemoryBenchmark}).</li>
 * </ul>
 */
public final class CallProfiler implements InternalProfiler {

    private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private CallMeter.Totals before = CallMeter.totals();
    private PoolMeter.Totals poolBefore = PoolMeter.totals();
    private long processCpuBefore;

    /** Created by JMH. */
    public CallProfiler() {}

    @Override
    public String getDescription() {
        return "Atoll receipts: guest CPU, wall and allocation per call, and JVM CPU per call";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        before = CallMeter.totals();
        poolBefore = PoolMeter.totals();
        processCpuBefore = os.getProcessCpuTime();
    }

    @Override
    public Collection<ScalarResult> afterIteration(
            BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
        long processCpu = os.getProcessCpuTime() - processCpuBefore;
        CallMeter.Totals d = CallMeter.totals().minus(before);
        PoolMeter.Totals p = PoolMeter.totals().minus(poolBefore);
        List<ScalarResult> out = new ArrayList<>();
        double bytes = PoolMeter.takeBytesPerContext();
        if (!Double.isNaN(bytes)) {
            out.add(avg("pool.bytesPerContext", bytes, "B"));
        }
        if (p.warm() + p.cold() > 0) {
            out.add(avg("pool.warm", 100.0 * p.warm() / (p.warm() + p.cold()), "%"));
        }
        if (p.created() > 0) {
            out.add(avg("pool.create.wall", p.createNanos() / (double) p.created() / 1e3, "us"));
        }
        if (d.calls() == 0) {
            return out;
        }
        double calls = d.calls();
        out.add(avg("guest.cpu", d.guestCpuNanos() / calls / 1e3, "us/call"));
        out.add(avg("guest.wall", d.guestWallNanos() / calls / 1e3, "us/call"));
        out.add(avg("guest.alloc", d.allocatedBytes() / calls, "B/call"));
        if (d.prepares() > 0) {
            out.add(avg("prepare.cpu", d.prepareCpuNanos() / (double) d.prepares() / 1e3, "us/call"));
            out.add(avg("prepare.wall", d.prepareWallNanos() / (double) d.prepares() / 1e3, "us/call"));
        }
        out.add(avg("process.cpu", processCpu / calls / 1e3, "us/call"));
        return out;
    }

    private static ScalarResult avg(String label, double value, String unit) {
        return new ScalarResult(label, value, unit, AggregationPolicy.AVG);
    }
}

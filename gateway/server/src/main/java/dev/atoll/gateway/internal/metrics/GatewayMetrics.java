package dev.atoll.gateway.internal.metrics;

import dev.atoll.gateway.dlp.DlpResult;
import dev.atoll.gateway.dlp.Finding;
import dev.atoll.isolate.pool.EvictionReason;
import dev.atoll.isolate.pool.PoolObserver;
import dev.atoll.isolate.pool.ShedReason;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.RuntimeObserver;
import dev.atoll.runtime.Tool;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Every meter of the gateway (names and tags in docs/gateway.md#metrics). Meters with tags are
 * looked up once per tag combination and cached, so the call path pays a map lookup, not a
 * registration. Tag values are bounded: tool names come from the catalogue, rule ids from the rule
 * pack, outcomes, directions, actions and reasons from closed sets.
 */
public final class GatewayMetrics implements PoolObserver, RuntimeObserver, AutoCloseable {

    private final PrometheusMeterRegistry registry;
    private final Map<Key, Timer> calls = new ConcurrentHashMap<>();
    private final Map<Key, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> warm = new ConcurrentHashMap<>();
    private final Timer creation;
    private final Timer queueWait;
    private final DistributionSummary guestCpu;
    private final DistributionSummary guestAllocated;
    private JvmGcMetrics gc;

    private record Key(String name, String a, String b, String c) {
    }

    /**
     * @param jvm also register JVM and process meters (memory, GC, threads, CPU, uptime)
     */
    public GatewayMetrics(boolean jvm) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.creation = Timer.builder("atoll.pool.context.creation")
                .description("Time to create a warm context (fresh context + tool module evaluated)")
                .register(registry);
        this.queueWait = Timer.builder("atoll.pool.queue.wait")
                .description("Time a call waited for an admission slot").register(registry);
        this.guestCpu = DistributionSummary.builder("atoll.runtime.call.cpu").baseUnit("seconds")
                .description("Guest-thread CPU time per isolate call").register(registry);
        this.guestAllocated = DistributionSummary.builder("atoll.runtime.call.allocated").baseUnit("bytes")
                .description("Bytes allocated on the guest thread per isolate call").register(registry);
        if (jvm) {
            new ClassLoaderMetrics().bindTo(registry);
            new JvmMemoryMetrics().bindTo(registry);
            gc = new JvmGcMetrics();
            gc.bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
        }
    }

    /**
     * A gauge read at scrape time.
     *
     * @param name the meter name
     * @param description what it measures
     * @param value reads the value
     */
    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value, v -> v.get().doubleValue()).description(description).strongReference(true)
                .register(registry);
    }

    /**
     * One {@code tools/call} through the pipeline, whatever the backend.
     *
     * @param tool the tool name
     * @param backend {@code isolate} or {@code upstream}
     * @param outcome the call's outcome name ({@code ok}, {@code tool_error}, {@code dlp_blocked}, ...)
     * @param nanos wall time of the whole pipeline
     */
    public void call(String tool, String backend, String outcome, long nanos) {
        calls.computeIfAbsent(new Key("call", tool, backend, outcome), k -> Timer.builder("atoll.tool.calls")
                .description("tools/call through the pipeline (DLP, backend, audit), by tool, backend and outcome")
                .tags("tool", k.a(), "backend", k.b(), "outcome", k.c()).register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Counts the findings of one DLP scan.
     *
     * @param result the scan
     */
    public void dlp(DlpResult<?> result) {
        String direction = lower(result.context().direction());
        for (Finding f : result.findings()) {
            counter(new Key("dlp", f.match().ruleId(), direction, lower(f.action())), k -> Counter
                    .builder("atoll.dlp.matches").description("DLP matches by rule, direction and action")
                    .tags("rule", k.a(), "direction", k.b(), "action", k.c())).increment();
        }
        result.incomplete().ifPresent(limit -> counter(new Key("dlp-incomplete", lower(limit), direction, ""),
                k -> Counter.builder("atoll.dlp.incomplete").description("DLP scans cut short by a limit")
                        .tags("limit", k.a(), "direction", k.b())).increment());
    }

    /**
     * Counts one audit-relevant event without a better home (e.g. a catalogue change).
     *
     * @param name the counter name
     * @param description what it counts
     */
    public void event(String name, String description) {
        counter(new Key(name, "", "", ""), k -> Counter.builder(name).description(description)).increment();
    }

    @Override
    public void warmHit(Tool tool) {
        toolCounter("atoll.pool.warm.hits", "Calls served by a pre-warmed context", tool).increment();
    }

    @Override
    public void coldStart(Tool tool) {
        toolCounter("atoll.pool.cold.starts", "Calls that created their context on the call path", tool).increment();
    }

    @Override
    public void contextCreated(Tool tool, Duration elapsed) {
        creation.record(elapsed);
    }

    @Override
    public void creationFailed(Tool tool, Duration elapsed) {
        toolCounter("atoll.pool.creation.failures", "Warm contexts that failed to create", tool).increment();
    }

    @Override
    public void queueWait(Tool tool, Duration waited) {
        queueWait.record(waited);
    }

    @Override
    public void loadShed(Tool tool, ShedReason reason) {
        counter(new Key("shed", lower(reason), "", ""), k -> Counter.builder("atoll.pool.load.shed")
                .description("Calls refused by admission control").tags("reason", k.a())).increment();
    }

    @Override
    public void evicted(Tool tool, EvictionReason reason) {
        counter(new Key("evicted", lower(reason), "", ""), k -> Counter.builder("atoll.pool.evictions")
                .description("Warm contexts closed unused").tags("reason", k.a())).increment();
    }

    @Override
    public void poolSize(Tool tool, int warmNow, int target) {
        warm.computeIfAbsent(tool.name(), name -> {
            AtomicInteger v = new AtomicInteger();
            Gauge.builder("atoll.pool.warm.contexts", v, AtomicInteger::get)
                    .description("Warm contexts held per tool").tag("tool", name).register(registry);
            return v;
        }).set(warmNow);
    }

    @Override
    public void guestThreadAbandoned(Tool tool) {
        toolCounter("atoll.runtime.guest.threads.abandoned",
                "Guest threads written off (and replaced) because their guest did not stop when cancelled", tool)
                .increment();
    }

    @Override
    public void callCompleted(Tool tool, CallResult result) {
        guestCpu.record(result.receipt().cpu().toNanos() / 1e9);
        guestAllocated.record(result.receipt().allocatedBytes());
    }

    /**
     * The sum over all tags of the counters named {@code name} (for the web UI's overview).
     *
     * @param name a counter's name, e.g. {@code atoll.pool.warm.hits}
     * @return its total since start, 0 when none was registered
     */
    public long counterTotal(String name) {
        return (long) registry.find(name).counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count)
                .sum();
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    /** The content type of {@link #scrape()}. */
    public static String contentType() {
        return "text/plain; version=0.0.4; charset=utf-8";
    }

    @Override
    public void close() {
        if (gc != null) {
            gc.close();
        }
        registry.close();
    }

    private Counter toolCounter(String name, String description, Tool tool) {
        return counter(new Key(name, tool.name(), "", ""),
                k -> Counter.builder(name).description(description).tag("tool", k.a()));
    }

    private Counter counter(Key key, Function<Key, Counter.Builder> builder) {
        Counter c = counters.get(key);
        return c != null ? c : counters.computeIfAbsent(key, k -> builder.apply(k).register(registry));
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}

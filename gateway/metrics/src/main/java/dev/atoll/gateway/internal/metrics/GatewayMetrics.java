package dev.atoll.gateway.internal.metrics;

import dev.atoll.gateway.dlp.DlpResult;
import dev.atoll.gateway.dlp.Finding;
import dev.atoll.gateway.upstream.internal.UpstreamManager;
import dev.atoll.gateway.upstream.internal.UpstreamObserver;
import dev.atoll.isolate.pool.ContextStart;
import dev.atoll.isolate.pool.EvictionReason;
import dev.atoll.isolate.pool.PoolObserver;
import dev.atoll.isolate.pool.ShedReason;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.RuntimeObserver;
import dev.atoll.runtime.Tool;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Every meter of the gateway (names, tags and buckets in docs/gateway.md#metrics; the Grafana
 * dashboard deploy/grafana/atoll.json is built on them). Meters with tags are looked up once per tag
 * combination and cached, so the call path pays a map lookup, not a registration. Latencies are
 * classic Prometheus histograms with the fixed buckets below ({@code _bucket} series, for
 * {@code histogram_quantile}). Tag values are bounded: tool, tenant and upstream names are capped by
 * {@link LabelLimiter} (the first {@code metrics.max-tools} / {@code max-tenants} / {@code max-upstreams}
 * values seen keep their own series, later ones are {@code other}); rule ids come from the rule pack;
 * outcomes, directions, actions, states and reasons from closed sets.
 */
public final class GatewayMetrics implements PoolObserver, RuntimeObserver, UpstreamObserver, AutoCloseable {

    /** Buckets of whole-call latencies: tools/call through the pipeline, pool calls, upstream calls. */
    public static final List<Duration> CALL_BUCKETS =
            millis(0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000);
    /** Buckets of warm-context creation (context built and module evaluated). */
    public static final List<Duration> CREATION_BUCKETS =
            millis(0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000);
    /** Buckets of the admission queue wait. */
    public static final List<Duration> QUEUE_BUCKETS =
            millis(0.1, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000);
    /** Buckets of one DLP scan of one payload. */
    public static final List<Duration> DLP_BUCKETS =
            millis(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100);

    private final PrometheusMeterRegistry registry;
    /** The sources of {@link #counter} meters, kept reachable (Micrometer keeps them only weakly). */
    private final List<Supplier<Number>> functionCounterSources = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final LabelLimiter tools;
    private final LabelLimiter tenants;
    private final LabelLimiter upstreamNames;
    private final Map<Key, Timer> timers = new ConcurrentHashMap<>();
    private final Map<Key, Counter> counters = new ConcurrentHashMap<>();
    /** Warm contexts per tool name (the raw name: several tools may share the label {@code other}). */
    private final Map<String, Integer> warm = new ConcurrentHashMap<>();

    private final Map<String, Boolean> warmGauges = new ConcurrentHashMap<>();
    private final Map<Key, Boolean> stateGauges = new ConcurrentHashMap<>();
    private final Map<String, UpstreamManager.State> upstreamStates = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> upstreamInFlight = new ConcurrentHashMap<>();
    private final Timer queueWait;
    private final Timer guestQueueWait;
    private final DistributionSummary guestCpu;
    private final DistributionSummary guestAllocated;
    /** The GC meters, closed with the registry; null without JVM meters. */
    private final @Nullable JvmGcMetrics gc;

    private final java.util.concurrent.atomic.LongAdder callsTotal = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder coldStartsTotal = new java.util.concurrent.atomic.LongAdder();

    private record Key(String name, String a, String b, String c) {}

    /**
     * Meters with the default label caps (200 tools, 50 tenants, 100 upstreams).
     *
     * @param jvm also register JVM and process meters (memory, GC, threads, CPU, uptime)
     */
    public GatewayMetrics(boolean jvm) {
        this(jvm, 200, 50, 100);
    }

    /**
     * @param jvm also register JVM and process meters (memory, GC, threads, classes, JIT, CPU, file
     *     descriptors, uptime)
     * @param maxTools distinct {@code tool} label values; later tools are {@code other}
     * @param maxTenants distinct {@code tenant} label values; later tenants are {@code other}
     * @param maxUpstreams distinct {@code upstream} label values; later upstreams are {@code other}
     */
    public GatewayMetrics(boolean jvm, int maxTools, int maxTenants, int maxUpstreams) {
        this.tools = new LabelLimiter("tool", maxTools);
        this.tenants = new LabelLimiter("tenant", maxTenants);
        this.upstreamNames = new LabelLimiter("upstream", maxUpstreams);
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.guestCpu = DistributionSummary.builder("atoll.runtime.call.cpu")
                .baseUnit("seconds")
                .description("Guest-thread CPU time per isolate call")
                .register(registry);
        this.guestAllocated = DistributionSummary.builder("atoll.runtime.call.allocated")
                .baseUnit("bytes")
                .description("Bytes allocated on the guest thread per isolate call")
                .register(registry);
        this.queueWait = Timer.builder("atoll.pool.queue.wait")
                .description("Time a call that had to wait spent in the admission queue before a guest-thread slot")
                .serviceLevelObjectives(QUEUE_BUCKETS.toArray(Duration[]::new))
                .register(registry);
        this.guestQueueWait = Timer.builder("atoll.runtime.guest.queue.wait")
                .description("Time an isolate call waited for one of the runtime's guest threads after its hand-off"
                        + " (zero when one was free)")
                .serviceLevelObjectives(QUEUE_BUCKETS.toArray(Duration[]::new))
                .register(registry);
        // Closed sets are registered at zero, so that rate() works from the first scrape.
        for (ShedReason r : ShedReason.values()) {
            shedCounter(r);
        }
        for (EvictionReason r : EvictionReason.values()) {
            evictionCounter(r);
        }
        Gauge.builder(
                        "atoll.pool.warm",
                        warm,
                        m -> m.values().stream().mapToInt(Integer::intValue).sum())
                .description("Warm contexts held, all tools")
                .register(registry);
        if (jvm) {
            new ClassLoaderMetrics().bindTo(registry);
            new JvmMemoryMetrics().bindTo(registry);
            JvmGcMetrics gcMetrics = new JvmGcMetrics();
            gcMetrics.bindTo(registry);
            this.gc = gcMetrics;
            new JvmThreadMetrics().bindTo(registry);
            new JvmCompilationMetrics().bindTo(registry);
            new JvmInfoMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new FileDescriptorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
        } else {
            this.gc = null;
        }
    }

    /** Tool calls through the pipeline since start (the fleet heartbeat's calls/s). */
    public long callsTotal() {
        return callsTotal.sum();
    }

    /** Cold starts since start (the fleet heartbeat's cold starts/s). */
    public long coldStartsTotal() {
        return coldStartsTotal.sum();
    }

    /**
     * A gauge read at scrape time.
     *
     * @param name the meter name
     * @param description what it measures
     * @param value reads the value
     */
    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value, v -> v.get().doubleValue())
                .description(description)
                .strongReference(true)
                .register(registry);
    }

    /**
     * Registers a counter whose count some other part keeps (a monotonic count since start).
     *
     * @param name meter name ({@code _total} is appended in the Prometheus text)
     * @param description help text
     * @param count reads the count
     */
    public void counter(String name, String description, Supplier<Number> count) {
        functionCounterSources.add(count); // a FunctionCounter holds its source weakly
        FunctionCounter.builder(name, count, v -> v.get().doubleValue())
                .description(description)
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
        callsTotal.increment();
        timer(
                        new Key("atoll.tool.calls", tools.of(tool), backend, outcome),
                        CALL_BUCKETS,
                        k -> Timer.builder(k.name())
                                .description("tools/call through the pipeline (DLP, backend, audit), by tool, "
                                        + "backend and outcome")
                                .tags("tool", k.a(), "backend", k.b(), "outcome", k.c()))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Counts one {@code tools/call} of a tenant.
     *
     * @param tenant the caller's tenant
     * @param outcome the call's outcome name
     */
    public void tenantCall(String tenant, String outcome) {
        counter(
                        new Key("atoll.tenant.calls", tenants.of(tenant), outcome, ""),
                        k -> Counter.builder(k.name())
                                .description("tools/call by tenant and outcome")
                                .tags("tenant", k.a(), "outcome", k.b()))
                .increment();
    }

    /**
     * Times one DLP scan of one payload in the call pipeline.
     *
     * @param direction {@code inbound} (arguments), {@code outbound} (result, log notification),
     *     {@code egress_request} or {@code egress_response} (an outbound request of {@code fetch} or an
     *     upstream's egress proxy, its response)
     * @param nanos wall time of the scan
     */
    public void dlpScan(String direction, long nanos) {
        timer(
                        new Key("atoll.dlp.scan", direction, "", ""),
                        DLP_BUCKETS,
                        k -> Timer.builder(k.name())
                                .description(
                                        "One DLP scan of one payload (arguments, result, log notification, or an egress"
                                                + " request or response)")
                                .tags("direction", k.a()))
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
            counter(
                            new Key("dlp", f.match().ruleId(), direction, lower(f.action())),
                            k -> Counter.builder("atoll.dlp.matches")
                                    .description("DLP matches by rule, direction and action")
                                    .tags("rule", k.a(), "direction", k.b(), "action", k.c()))
                    .increment();
        }
        result.incomplete()
                .ifPresent(limit -> counter(
                                new Key("dlp-incomplete", lower(limit), direction, ""),
                                k -> Counter.builder("atoll.dlp.incomplete")
                                        .description("DLP scans cut short by a limit")
                                        .tags("limit", k.a(), "direction", k.b()))
                        .increment());
    }

    /**
     * Counts one audit-relevant event without a better home (e.g. a catalogue change).
     *
     * @param name the counter name
     * @param description what it counts
     */
    public void event(String name, String description) {
        counter(new Key(name, "", "", ""), k -> Counter.builder(name).description(description))
                .increment();
    }

    @Override
    public void warmHit(Tool tool) {
        toolCounter("atoll.pool.warm.hits", "Calls served by a pre-warmed context", tool)
                .increment();
    }

    @Override
    public void coldStart(Tool tool) {
        coldStartsTotal.increment();
        toolCounter("atoll.pool.cold.starts", "Calls that created their context on the call path", tool)
                .increment();
    }

    @Override
    public void callServed(Tool tool, ContextStart start, Duration elapsed) {
        timer(
                        new Key("atoll.pool.calls", tools.of(tool.name()), lower(start), ""),
                        CALL_BUCKETS,
                        k -> Timer.builder(k.name())
                                .description("Isolate calls from admission to result, by how they got their "
                                        + "context: warm (pre-warmed) or cold (created on the call path)")
                                .tags("tool", k.a(), "start", k.b()))
                .record(elapsed);
    }

    @Override
    public void contextCreated(Tool tool, Duration elapsed) {
        timer(
                        new Key("atoll.pool.context.creation", tools.of(tool.name()), "", ""),
                        CREATION_BUCKETS,
                        k -> Timer.builder(k.name())
                                .description("Time to create a warm context (fresh context + tool module evaluated)")
                                .tags("tool", k.a()))
                .record(elapsed);
    }

    @Override
    public void creationFailed(Tool tool, Duration elapsed) {
        toolCounter("atoll.pool.creation.failures", "Warm contexts that failed to create", tool)
                .increment();
    }

    @Override
    public void queueWait(Tool tool, Duration waited) {
        queueWait.record(waited);
    }

    @Override
    public void loadShed(Tool tool, ShedReason reason) {
        shedCounter(reason).increment();
    }

    @Override
    public void evicted(Tool tool, EvictionReason reason) {
        evictionCounter(reason).increment();
    }

    private Counter shedCounter(ShedReason reason) {
        return counter(
                new Key("shed", lower(reason), "", ""),
                k -> Counter.builder("atoll.pool.load.shed")
                        .description("Calls refused by admission control")
                        .tags("reason", k.a()));
    }

    private Counter evictionCounter(EvictionReason reason) {
        return counter(
                new Key("evicted", lower(reason), "", ""),
                k -> Counter.builder("atoll.pool.evictions")
                        .description("Warm contexts closed unused")
                        .tags("reason", k.a()));
    }

    @Override
    public void poolSize(Tool tool, int warmNow, int target) {
        warm.put(tool.name(), warmNow);
        String label = tools.of(tool.name());
        warmGauges.computeIfAbsent(label, l -> {
            Gauge.builder(
                            "atoll.pool.warm.contexts",
                            warm,
                            m -> m.entrySet().stream()
                                    .filter(e -> tools.of(e.getKey()).equals(l))
                                    .mapToInt(Map.Entry::getValue)
                                    .sum())
                    .description("Warm contexts held per tool")
                    .tag("tool", l)
                    .register(registry);
            return Boolean.TRUE;
        });
    }

    @Override
    public void stateChanged(String upstream, UpstreamManager.State from, UpstreamManager.State to, String reason) {
        upstreamStates.put(upstream, to);
        String label = upstreamNames.of(upstream);
        for (UpstreamManager.State s : UpstreamManager.State.values()) {
            stateGauges.computeIfAbsent(new Key("atoll.upstream.state", label, s.id(), ""), k -> {
                Gauge.builder(
                                k.name(),
                                upstreamStates,
                                m -> m.entrySet().stream()
                                        .filter(e -> e.getValue() == s
                                                && upstreamNames.of(e.getKey()).equals(label))
                                        .count())
                        .description("Upstreams in each lifecycle state (1 for the current state of an upstream)")
                        .tags("upstream", label, "state", s.id())
                        .register(registry);
                return Boolean.TRUE;
            });
        }
        if (to == UpstreamManager.State.RESTARTING) {
            counter(
                            new Key("atoll.upstream.restarts", label, "", ""),
                            k -> Counter.builder(k.name())
                                    .description(
                                            "Restarts of an upstream after it exited, failed to start or its health check failed")
                                    .tags("upstream", k.a()))
                    .increment();
        }
    }

    @Override
    public void callStarted(String upstream) {
        inFlight(upstream).incrementAndGet();
    }

    @Override
    public void callEnded(String upstream, String outcome, Duration elapsed) {
        inFlight(upstream).decrementAndGet();
        timer(
                        new Key("atoll.upstream.calls", upstreamNames.of(upstream), outcome, ""),
                        CALL_BUCKETS,
                        k -> Timer.builder(k.name())
                                .description("tools/call round trips to an upstream server, by upstream and outcome")
                                .tags("upstream", k.a(), "outcome", k.b()))
                .record(elapsed);
    }

    private AtomicInteger inFlight(String upstream) {
        return upstreamInFlight.computeIfAbsent(upstreamNames.of(upstream), label -> {
            AtomicInteger n = new AtomicInteger();
            Gauge.builder("atoll.upstream.in.flight", n, AtomicInteger::get)
                    .description("tools/call requests sent to an upstream and not answered yet")
                    .tag("upstream", label)
                    .register(registry);
            return n;
        });
    }

    @Override
    public void guestThreadAbandoned(Tool tool) {
        toolCounter(
                        "atoll.runtime.guest.threads.abandoned",
                        "Guest threads written off (and replaced) because their guest did not stop when cancelled",
                        tool)
                .increment();
    }

    @Override
    public void guestThreadWait(Tool tool, Duration waited) {
        guestQueueWait.record(waited);
    }

    @Override
    public void callCompleted(Tool tool, CallResult result) {
        guestCpu.record(result.receipt().cpu().toNanos() / 1e9);
        guestAllocated.record((double) result.receipt().allocatedBytes());
    }

    /**
     * The call meters since start, read from the registry (what {@code /metrics} exports): tools/call
     * count, by outcome and per {@link #CALL_BUCKETS} bucket (cumulative, as Prometheus's {@code le}),
     * summed over tools and backends; the pool's warm hits and cold starts.
     *
     * @return the totals now
     */
    public CallHistory.Totals callTotals() {
        long[] le = new long[CALL_BUCKETS.size()];
        Map<String, Long> outcomes = new java.util.TreeMap<>();
        long calls = 0;
        for (Timer t : registry.find("atoll.tool.calls").timers()) {
            io.micrometer.core.instrument.distribution.HistogramSnapshot h = t.takeSnapshot();
            long n = h.count();
            calls += n;
            outcomes.merge(String.valueOf(t.getId().getTag("outcome")), n, Long::sum);
            for (io.micrometer.core.instrument.distribution.CountAtBucket c : h.histogramCounts()) {
                for (int i = 0; i < le.length; i++) {
                    if (Math.abs(c.bucket(TimeUnit.NANOSECONDS)
                                    - CALL_BUCKETS.get(i).toNanos())
                            < 1) {
                        le[i] += (long) c.count();
                    }
                }
            }
        }
        return new CallHistory.Totals(
                calls, outcomes, le, counterTotal("atoll.pool.warm.hits"), counterTotal("atoll.pool.cold.starts"));
    }

    /**
     * The sum over all tags of the counters named {@code name} (for the web UI's overview).
     *
     * @param name a counter's name, e.g. {@code atoll.pool.warm.hits}
     * @return its total since start, 0 when none was registered
     */
    public long counterTotal(String name) {
        return (long) registry.find(name).counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count)
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
        return counter(
                new Key(name, tools.of(tool.name()), "", ""),
                k -> Counter.builder(name).description(description).tag("tool", k.a()));
    }

    private Timer timer(Key key, List<Duration> buckets, Function<Key, Timer.Builder> builder) {
        Timer t = timers.get(key);
        return t != null
                ? t
                : timers.computeIfAbsent(
                        key,
                        k -> builder.apply(k)
                                .serviceLevelObjectives(buckets.toArray(Duration[]::new))
                                .register(registry));
    }

    private static List<Duration> millis(double... ms) {
        return java.util.Arrays.stream(ms)
                .mapToObj(m -> Duration.ofNanos(Math.round(m * 1_000_000)))
                .toList();
    }

    private Counter counter(Key key, Function<Key, Counter.Builder> builder) {
        Counter c = counters.get(key);
        return c != null
                ? c
                : counters.computeIfAbsent(key, k -> builder.apply(k).register(registry));
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}

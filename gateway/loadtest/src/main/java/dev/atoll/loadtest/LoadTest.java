package dev.atoll.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.loadtest.internal.Caller;
import dev.atoll.loadtest.internal.Driver;
import dev.atoll.loadtest.internal.GatewayCpu;
import dev.atoll.loadtest.internal.HttpMcpCaller;
import dev.atoll.loadtest.internal.InProcessCaller;
import dev.atoll.loadtest.internal.Recording;
import dev.atoll.loadtest.internal.Schedule;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * One load test of an MCP tool: against a running node over HTTP ({@link Builder#http}) or of a tool file
 * in this process's runtime ({@link Builder#inProcess}), under an open model (arrival-rate stages) or a
 * closed model (N concurrent callers), bounded in time and in calls. Built by {@link #builder()}, which
 * fails fast on a bad value; {@link #run()} returns the {@link LoadTestReport}.
 *
 * <pre>{@code
 * LoadTestReport r = LoadTest.builder()
 *         .http(URI.create("http://127.0.0.1:8080/mcp"), token, "word_count")
 *         .arguments(List.of("{\"text\":\"hello\"}"))
 *         .open(Stage.parseList("0s:200/s,10s:200/s"))
 *         .build().run();
 * }</pre>
 */
public final class LoadTest {

    /** MCP protocol era of the HTTP calls. */
    public enum Protocol {
        /** 2026-07-28: no session, protocol version in {@code _meta} and headers. */
        STATELESS,
        /** 2025-11-25: {@code initialize} opens a session, every call carries {@code Mcp-Session-Id}. */
        SESSION
    }

    /** Default bound on calls. */
    public static final long DEFAULT_MAX_CALLS = 10_000_000;
    /** Longest run. */
    public static final Duration MAX_DURATION = Duration.ofHours(24);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Builder b;

    private LoadTest(Builder b) {
        this.b = b;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the load test.
     *
     * @return the report
     * @throws LoadTestException if the target cannot be reached or the tool does not load
     */
    public LoadTestReport run() {
        List<ObjectNode> args = b.arguments;
        Caller caller;
        String target;
        String mode;
        String runtime = "";
        InProcessCaller inProcess = null;
        if (b.file.isPresent()) {
            inProcess = new InProcessCaller(b.file.get(), args, b.pool);
            caller = inProcess;
            target = b.file.get().toString();
            mode = b.pool > 0 ? "in-process-pooled" : "in-process";
            runtime = inProcess.runtimeDescription();
        } else {
            caller = new HttpMcpCaller(
                    b.url.orElseThrow(), b.token, b.tool, args, b.protocol == Protocol.STATELESS, b.timeout);
            target = b.url.get() + " " + b.tool;
            mode = b.protocol == Protocol.STATELESS ? "stateless" : "session";
        }
        Optional<GatewayCpu> cpu = b.metricsUrl.map(u -> new GatewayCpu(u, b.metricsToken));
        try (Caller c = caller) {
            Optional<Schedule> schedule = b.stages.map(Schedule::new);
            String model = schedule.isPresent()
                    ? "open "
                            + b.stages.get().stream()
                                    .map(s -> s.duration().toMillis() + "ms:" + trim(s.ratePerSecond()) + "/s")
                                    .collect(Collectors.joining(","))
                    : "closed " + b.concurrency + " for " + b.duration.toMillis() + "ms";
            Recording rec = new Recording();
            OptionalDouble cpu0 = cpu.map(GatewayCpu::cpuNanos).orElse(OptionalDouble.empty());
            Instant started = Instant.now();
            long elapsed = Driver.run(
                    new Driver.Plan(
                            schedule,
                            b.concurrency,
                            b.duration.toNanos(),
                            b.maxCalls,
                            b.maxInFlight,
                            args.size(),
                            b.file.isPresent(),
                            b.timeout.plusSeconds(5)),
                    c,
                    rec,
                    b.progress);
            OptionalDouble cpu1 = cpu.map(GatewayCpu::cpuNanos).orElse(OptionalDouble.empty());
            long calls = rec.calls();
            OptionalDouble cpuPerCall = cpu0.isPresent() && cpu1.isPresent() && calls > 0
                    ? OptionalDouble.of((cpu1.getAsDouble() - cpu0.getAsDouble()) / 1000.0 / calls)
                    : OptionalDouble.empty();
            if (inProcess != null && b.pool > 0) {
                mode += " (" + inProcess.pooledHits() + " pooled, " + inProcess.coldStarts() + " cold)";
            }
            if (b.url.isPresent() && calls > 0 && rec.outcomes().getOrDefault("io_error", 0L) == calls) {
                throw new LoadTestException(
                        "cannot reach " + b.url.get() + ": all " + calls + " calls failed to connect");
            }
            return new LoadTestReport(
                    target,
                    mode,
                    model,
                    started,
                    elapsed / 1e9,
                    calls,
                    rec.outcomes(),
                    rec.latency(),
                    rec.serviceTime(),
                    rec.seconds(),
                    rec.distribution(),
                    rec.phases(),
                    cpuPerCall,
                    runtime);
        } finally {
            cpu.ifPresent(GatewayCpu::close);
        }
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** Configures a {@link LoadTest}; every setter fails fast, naming the offending value. */
    public static final class Builder {
        private Optional<URI> url = Optional.empty();
        private String token = "";
        private String tool = "";
        private Optional<Path> file = Optional.empty();
        private int pool;
        private Protocol protocol = Protocol.STATELESS;
        private List<ObjectNode> arguments = List.of(JSON.createObjectNode());
        private Optional<List<Stage>> stages = Optional.empty();
        private int concurrency = 1;
        private Duration duration = Duration.ofSeconds(10);
        private long maxCalls = DEFAULT_MAX_CALLS;
        private int maxInFlight = 256;
        private Duration timeout = Duration.ofSeconds(30);
        private Optional<URI> metricsUrl = Optional.empty();
        private String metricsToken = "";
        private Consumer<Progress> progress = p -> {};

        private Builder() {}

        /**
         * Loads a running node (or fleet) over HTTP.
         *
         * @param mcpUrl its MCP endpoint, http(s)
         * @param bearerToken an MCP token ("" for none)
         * @param toolName the tool to call
         * @return this builder
         */
        public Builder http(URI mcpUrl, String bearerToken, String toolName) {
            Objects.requireNonNull(mcpUrl, "mcpUrl");
            if (!"http".equals(mcpUrl.getScheme()) && !"https".equals(mcpUrl.getScheme())) {
                throw new LoadTestException("the MCP URL must be http(s)://..., got " + mcpUrl);
            }
            if (Objects.requireNonNull(toolName, "toolName").isBlank()) {
                throw new LoadTestException("a tool name is needed");
            }
            this.url = Optional.of(mcpUrl);
            this.token = Objects.requireNonNull(bearerToken, "bearerToken");
            this.tool = toolName;
            this.file = Optional.empty();
            return this;
        }

        /**
         * Runs a tool file in this process's runtime, a fresh context per call.
         *
         * @param toolFile the .mjs/.js or .py file
         * @return this builder
         */
        public Builder inProcess(Path toolFile) {
            if (!Files.isRegularFile(Objects.requireNonNull(toolFile, "toolFile"))) {
                throw new LoadTestException("no such tool file: " + toolFile);
            }
            this.file = Optional.of(toolFile);
            this.url = Optional.empty();
            return this;
        }

        /**
         * In-process mode: keep this many contexts prepared ahead of the calls (as the gateway's pool does);
         * 0 (default) creates each on the call path (a cold start, with its phases measured).
         *
         * @param contexts 0 to 1024
         * @return this builder
         */
        public Builder pool(int contexts) {
            if (contexts < 0 || contexts > 1024) {
                throw new LoadTestException("pool is 0 to 1024 contexts, got " + contexts);
            }
            this.pool = contexts;
            return this;
        }

        /**
         * The MCP protocol era (default stateless 2026-07-28).
         *
         * @param p the era
         * @return this builder
         */
        public Builder protocol(Protocol p) {
            this.protocol = Objects.requireNonNull(p, "protocol");
            return this;
        }

        /**
         * The argument sets, each a JSON object; calls rotate through them in order (default one {@code {}}).
         *
         * @param jsonObjects the sets
         * @return this builder
         */
        public Builder arguments(List<String> jsonObjects) {
            if (jsonObjects.isEmpty()) {
                throw new LoadTestException("at least one argument set is needed");
            }
            if (jsonObjects.size() > 1_000_000) {
                throw new LoadTestException("at most 1000000 argument sets, got " + jsonObjects.size());
            }
            List<ObjectNode> parsed = new ArrayList<>();
            int n = 0;
            for (String s : jsonObjects) {
                n++;
                try {
                    JsonNode node = JSON.readTree(s);
                    if (node == null || !node.isObject()) {
                        throw new LoadTestException("argument set " + n + " is not a JSON object: " + abbreviate(s));
                    }
                    parsed.add((ObjectNode) node);
                } catch (IOException e) {
                    throw new LoadTestException("argument set " + n + " is not JSON: " + abbreviate(s));
                }
            }
            this.arguments = List.copyOf(parsed);
            return this;
        }

        /**
         * Reads argument sets from a JSONL file: one JSON object per line, blank lines skipped.
         *
         * @param jsonl the file
         * @return this builder
         */
        public Builder argumentsFile(Path jsonl) {
            try {
                return arguments(Files.readAllLines(jsonl, StandardCharsets.UTF_8).stream()
                        .filter(l -> !l.isBlank())
                        .toList());
            } catch (IOException e) {
                throw new LoadTestException("cannot read the arguments file " + jsonl + ": " + e.getMessage(), e);
            } catch (LoadTestException e) {
                throw new LoadTestException(jsonl + ": " + e.getMessage(), e);
            }
        }

        /**
         * Open model: arrival-rate stages (see {@link Stage}).
         *
         * @param s the stages, at least one, lasting at most 24 h in all
         * @return this builder
         */
        public Builder open(List<Stage> s) {
            if (s.isEmpty()) {
                throw new LoadTestException("at least one stage is needed");
            }
            Duration total = s.stream().map(Stage::duration).reduce(Duration.ZERO, Duration::plus);
            if (total.isZero() || total.compareTo(MAX_DURATION) > 0) {
                throw new LoadTestException("the stages must last more than 0 and at most 24h, got " + total);
            }
            this.stages = Optional.of(List.copyOf(s));
            return this;
        }

        /**
         * Open model at a constant rate.
         *
         * @param ratePerSecond calls per second
         * @param d how long
         * @return this builder
         */
        public Builder rate(double ratePerSecond, Duration d) {
            return open(List.of(new Stage(Duration.ZERO, ratePerSecond), new Stage(d, ratePerSecond)));
        }

        /**
         * Closed model: {@code callers} concurrent callers for {@code d}.
         *
         * @param callers 1 to 4096
         * @param d how long, up to 24 h
         * @return this builder
         */
        public Builder closed(int callers, Duration d) {
            if (callers < 1 || callers > 4096) {
                throw new LoadTestException("concurrency is 1 to 4096, got " + callers);
            }
            checkDuration(d);
            this.concurrency = callers;
            this.duration = d;
            this.stages = Optional.empty();
            return this;
        }

        /**
         * Most calls sent (default 10,000,000).
         *
         * @param n at least 1
         * @return this builder
         */
        public Builder maxCalls(long n) {
            if (n < 1) {
                throw new LoadTestException("max calls is at least 1, got " + n);
            }
            this.maxCalls = n;
            return this;
        }

        /**
         * Open model: most calls in flight (connections) at once (default 256); a call due while all are busy
         * waits for one, and its latency still counts from its due time.
         *
         * @param n 1 to 4096
         * @return this builder
         */
        public Builder maxInFlight(int n) {
            if (n < 1 || n > 4096) {
                throw new LoadTestException("max in flight is 1 to 4096, got " + n);
            }
            this.maxInFlight = n;
            return this;
        }

        /**
         * Longest one HTTP call may take (default 30 s); a call past it ends as {@code timeout}.
         *
         * @param t 1 ms to 10 min
         * @return this builder
         */
        public Builder timeout(Duration t) {
            if (t.compareTo(Duration.ofMillis(1)) < 0 || t.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new LoadTestException("the call timeout is 1ms to 10m, got " + t);
            }
            this.timeout = t;
            return this;
        }

        /**
         * Reads the gateway's CPU time from its Prometheus metrics before and after, to report CPU per call.
         *
         * @param url the admin listener's {@code /metrics}
         * @param adminToken its bearer token ("" for none)
         * @return this builder
         */
        public Builder gatewayMetrics(URI url, String adminToken) {
            this.metricsUrl = Optional.of(Objects.requireNonNull(url, "url"));
            this.metricsToken = Objects.requireNonNull(adminToken, "adminToken");
            return this;
        }

        /**
         * Told once a second while the test runs (on a background thread).
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder progress(Consumer<Progress> listener) {
            this.progress = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Builds the load test.
         *
         * @return the load test
         * @throws LoadTestException if no target was given
         */
        public LoadTest build() {
            if (url.isEmpty() && file.isEmpty()) {
                throw new LoadTestException("a target is needed: an MCP URL and tool, or a tool file");
            }
            if (pool > 0 && file.isEmpty()) {
                throw new LoadTestException("pool applies to the in-process mode only");
            }
            return new LoadTest(copy());
        }

        /** A snapshot, so that later changes to this builder do not change a built load test. */
        private Builder copy() {
            Builder c = new Builder();
            c.url = url;
            c.token = token;
            c.tool = tool;
            c.file = file;
            c.pool = pool;
            c.protocol = protocol;
            c.arguments = arguments;
            c.stages = stages;
            c.concurrency = concurrency;
            c.duration = duration;
            c.maxCalls = maxCalls;
            c.maxInFlight = maxInFlight;
            c.timeout = timeout;
            c.metricsUrl = metricsUrl;
            c.metricsToken = metricsToken;
            c.progress = progress;
            return c;
        }

        private static void checkDuration(Duration d) {
            if (d.isNegative() || d.isZero() || d.compareTo(MAX_DURATION) > 0) {
                throw new LoadTestException("a duration is more than 0 and at most 24h, got " + d);
            }
        }

        private static String abbreviate(String s) {
            return s.length() <= 80 ? s : s.substring(0, 80) + "...";
        }
    }
}

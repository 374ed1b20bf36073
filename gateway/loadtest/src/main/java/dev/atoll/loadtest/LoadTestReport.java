package dev.atoll.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.loadtest.internal.HtmlReport;
import dev.atoll.loadtest.internal.Tables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * The result of one load test: what was loaded and how, latency percentiles (from the intended send time
 * in the open model, so a stall shows; and service time from the actual send), outcomes, the per-second
 * series (throughput and latency over time: the warm-up curve), the latency distribution, cold-start phases
 * (in-process mode) and the gateway's CPU per call (when its {@code /metrics} was given). Latencies are in
 * milliseconds. Prints as a table ({@link #summary()}), reads and writes JSON, renders as HTML.
 *
 * @param target what was loaded: {@code URL tool} or the tool file
 * @param mode {@code stateless}, {@code session} (HTTP eras), {@code in-process} or {@code in-process-pooled}
 * @param model the load model, e.g. {@code open 0s:100/s,30s:100/s} or {@code closed 16}
 * @param startedAt when the run started
 * @param elapsedSeconds how long it ran
 * @param calls calls that finished (any outcome)
 * @param outcomes calls by outcome ({@code ok}, {@code tool_error}, {@code http_503} ...), plus {@code not_sent}
 *     for open-model calls still waiting for a free connection when the schedule ended
 * @param latency latency from the intended send time (open model) or the send time (closed model)
 * @param serviceTime latency from the actual send time
 * @param timeline one entry per second from the start
 * @param distribution percentile points of the latency
 * @param phases cold-start phases (empty unless in-process)
 * @param gatewayCpuMicrosPerCall the gateway's process CPU time per finished call, if measured
 * @param runtime the runtime that ran the calls in-process, or {@code ""}
 */
public record LoadTestReport(
        String target,
        String mode,
        String model,
        Instant startedAt,
        double elapsedSeconds,
        long calls,
        Map<String, Long> outcomes,
        Latency latency,
        Latency serviceTime,
        List<Second> timeline,
        List<Point> distribution,
        List<Phase> phases,
        OptionalDouble gatewayCpuMicrosPerCall,
        String runtime) {

    /** Format version of the JSON form. */
    public static final int FORMAT = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Rejects nulls and copies the collections. */
    public LoadTestReport {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(serviceTime, "serviceTime");
        Objects.requireNonNull(gatewayCpuMicrosPerCall, "gatewayCpuMicrosPerCall");
        Objects.requireNonNull(runtime, "runtime");
        outcomes = java.util.Collections.unmodifiableMap(new TreeMap<>(outcomes));
        timeline = List.copyOf(timeline);
        distribution = List.copyOf(distribution);
        phases = List.copyOf(phases);
    }

    /**
     * Latency percentiles in milliseconds.
     *
     * @param p50 median
     * @param p90 90th percentile
     * @param p99 99th percentile
     * @param p999 99.9th percentile
     * @param max largest
     * @param mean mean
     */
    public record Latency(double p50, double p90, double p99, double p999, double max, double mean) {
        /** No calls. */
        public static final Latency EMPTY = new Latency(0, 0, 0, 0, 0, 0);
    }

    /**
     * One second of the run (the last may be shorter).
     *
     * @param t seconds from the start at the end of the interval
     * @param rate finished calls per second in it
     * @param calls finished calls in it
     * @param errors failed calls in it
     * @param p50 median latency in it, ms
     * @param p90 90th percentile, ms
     * @param p99 99th percentile, ms
     * @param max largest, ms
     */
    public record Second(
            double t, double rate, long calls, long errors, double p50, double p90, double p99, double max) {}

    /**
     * A point of the latency distribution.
     *
     * @param percentile percentile (0-100)
     * @param ms latency at it
     */
    public record Point(double percentile, double ms) {}

    /**
     * A phase of a cold start, in milliseconds.
     *
     * @param name {@code prepare} (context creation and module evaluation), {@code call}, {@code close}
     * @param mean mean
     * @param p50 median
     * @param p99 99th percentile
     */
    public record Phase(String name, double mean, double p50, double p99) {}

    /** Failed calls: every outcome but {@code ok} and {@code not_sent}. */
    public long errors() {
        return outcomes.entrySet().stream()
                .filter(e -> !e.getKey().equals("ok") && !e.getKey().equals("not_sent"))
                .mapToLong(Map.Entry::getValue)
                .sum();
    }

    /** Open-model calls that were due but never sent. */
    public long notSent() {
        return outcomes.getOrDefault("not_sent", 0L);
    }

    /** Failed calls over finished calls (0 when none finished). */
    public double errorRate() {
        return calls == 0 ? 0 : (double) errors() / calls;
    }

    /** Finished calls per second over the whole run. */
    public double throughput() {
        return elapsedSeconds <= 0 ? 0 : calls / elapsedSeconds;
    }

    /**
     * The warm-up curve in one number: seconds from the start until the throughput (averaged over 3 s)
     * first reaches 90 % of its median over the last third of the run. Meaningful for the closed model,
     * where the target sets the pace; under the open model the rate is the schedule's.
     *
     * @return the seconds, or empty if the run is shorter than 6 s
     */
    public OptionalDouble atSpeedAfterSeconds() {
        List<Second> full =
                timeline.size() > 1 ? timeline.subList(0, timeline.size() - 1) : timeline; // last is partial
        if (full.size() < 6) {
            return OptionalDouble.empty();
        }
        double[] tail = full.subList(full.size() * 2 / 3, full.size()).stream()
                .mapToDouble(Second::rate)
                .sorted()
                .toArray();
        double steady = tail[tail.length / 2];
        for (int i = 2; i < full.size(); i++) {
            double avg = (full.get(i).rate()
                            + full.get(i - 1).rate()
                            + full.get(i - 2).rate())
                    / 3;
            if (avg >= 0.9 * steady) {
                return OptionalDouble.of(full.get(i - 2).t() - 1);
            }
        }
        return OptionalDouble.empty();
    }

    /** The summary table printed at the end of a run. */
    public String summary() {
        return Tables.summary(List.of(this));
    }

    /**
     * Both runs side by side, with the ratio second/first.
     *
     * @param before the first run
     * @param after the second run
     * @return the table
     */
    public static String compare(LoadTestReport before, LoadTestReport after) {
        return Tables.summary(List.of(before, after));
    }

    /**
     * A self-contained HTML report (uPlot inlined, no network) of one or more runs.
     *
     * @param runs the runs (one, or two to compare)
     * @return the HTML
     */
    public static String html(List<LoadTestReport> runs) {
        return HtmlReport.render(runs);
    }

    /** This run as JSON. */
    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", FORMAT);
        n.put("target", target);
        n.put("mode", mode);
        n.put("model", model);
        n.put("startedAt", startedAt.toString());
        n.put("elapsedSeconds", elapsedSeconds);
        n.put("calls", calls);
        n.put("errors", errors());
        n.put("errorRate", errorRate());
        n.put("throughput", throughput());
        ObjectNode o = n.putObject("outcomes");
        outcomes.forEach(o::put);
        n.set("latencyMs", JSON.valueToTree(latency));
        n.set("serviceTimeMs", JSON.valueToTree(serviceTime));
        n.set("timeline", JSON.valueToTree(timeline));
        n.set("distribution", JSON.valueToTree(distribution));
        n.set("phasesMs", JSON.valueToTree(phases));
        if (gatewayCpuMicrosPerCall.isPresent()) {
            n.put("gatewayCpuMicrosPerCall", gatewayCpuMicrosPerCall.getAsDouble());
        }
        atSpeedAfterSeconds().ifPresent(v -> n.put("atSpeedAfterSeconds", v));
        n.put("runtime", runtime);
        return n;
    }

    /**
     * Reads a run written by {@link #toJson()}.
     *
     * @param n the JSON
     * @return the run
     * @throws LoadTestException if it is not a load test result of this format
     */
    public static LoadTestReport fromJson(JsonNode n) {
        if (n == null || !n.isObject() || n.path("format").asInt() != FORMAT) {
            throw new LoadTestException("not an atoll loadtest result (format " + FORMAT + ")");
        }
        try {
            Map<String, Long> outcomes = new LinkedHashMap<>();
            n.path("outcomes")
                    .properties()
                    .forEach(e -> outcomes.put(e.getKey(), e.getValue().asLong()));
            List<Second> timeline = new ArrayList<>();
            for (JsonNode s : n.path("timeline")) {
                timeline.add(JSON.treeToValue(s, Second.class));
            }
            List<Point> distribution = new ArrayList<>();
            for (JsonNode p : n.path("distribution")) {
                distribution.add(JSON.treeToValue(p, Point.class));
            }
            List<Phase> phases = new ArrayList<>();
            for (JsonNode p : n.path("phasesMs")) {
                phases.add(JSON.treeToValue(p, Phase.class));
            }
            JsonNode cpu = n.path("gatewayCpuMicrosPerCall");
            return new LoadTestReport(
                    n.path("target").asText(),
                    n.path("mode").asText(),
                    n.path("model").asText(),
                    Instant.parse(n.path("startedAt").asText()),
                    n.path("elapsedSeconds").asDouble(),
                    n.path("calls").asLong(),
                    outcomes,
                    JSON.treeToValue(n.path("latencyMs"), Latency.class),
                    JSON.treeToValue(n.path("serviceTimeMs"), Latency.class),
                    timeline,
                    distribution,
                    phases,
                    cpu.isNumber() ? OptionalDouble.of(cpu.asDouble()) : OptionalDouble.empty(),
                    n.path("runtime").asText(""));
        } catch (IOException | RuntimeException e) {
            throw new LoadTestException("not a readable atoll loadtest result: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a result file.
     *
     * @param file the JSON file
     * @return the run
     * @throws LoadTestException if it cannot be read or is not a result
     */
    public static LoadTestReport read(Path file) {
        try {
            return fromJson(JSON.readTree(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new LoadTestException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (LoadTestException e) {
            throw new LoadTestException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes this run as JSON.
     *
     * @param file where
     * @throws LoadTestException if it cannot be written
     */
    public void write(Path file) {
        try {
            Files.writeString(file, toJson().toPrettyString() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LoadTestException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}

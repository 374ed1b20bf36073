package dev.atoll.loadtest;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code atoll loadtest}: load-test a tool on a running node (MCP over HTTP) or a tool file in-process, print
 * a summary, write JSON and an HTML report, compare two runs, and gate on thresholds. Exit status: 0 done
 * (thresholds met); 1 a threshold was exceeded; 2 usage error, unreadable file, unreachable target.
 */
@Command(
        name = "loadtest",
        sortOptions = false,
        description = {
            "Load-test a tool on a running node (MCP over HTTP) or a tool file in-process; report "
                    + "percentiles, JSON and HTML.",
            "TOOL on a running node or fleet (with --url, MCP over HTTP with keep-alive "
                    + "connections), or a tool FILE in this process's runtime (a fresh context per call, cold-start phases "
                    + "measured). Open model with --rate or --stages (latency counts from each call's intended send time, so "
                    + "stalls are not hidden), closed model with --concurrency. Bounded by --duration and --max-calls. "
                    + "Prints a summary table; --out writes JSON, --report a self-contained HTML report. Live progress on "
                    + "stderr when it is a terminal.",
            "--compare BEFORE.json AFTER.json prints two runs side by side with ratios (and --report draws both).",
            "Exit status: 0 done; 1 a --max-p99 or --max-error-rate threshold was exceeded; 2 usage error, "
                    + "unreadable file, unreachable target."
        })
public final class LoadTestCommand implements Callable<Integer> {

    private static final int OK = 0;
    private static final int FAILED = 1;
    private static final int USAGE = 2;

    @SuppressWarnings("NullAway.Init") // picocli injects it before call()
    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "TOOL|FILE",
            description = "the tool's name (with --url) or a tool file (.mjs/.js/.py) to run in-process")
    @Nullable
    String target;

    @Option(
            names = "--url",
            paramLabel = "URL",
            description = "the MCP endpoint of a running node, e.g. " + "http://127.0.0.1:8080/mcp")
    @Nullable
    URI url;

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            defaultValue = "${env:ATOLL_MCP_TOKEN}",
            description = "MCP bearer token (default: $ATOLL_MCP_TOKEN)")
    @Nullable
    String token;

    @SuppressWarnings("NullAway.Init") // picocli sets it, to its defaultValue when not given
    @Option(
            names = "--protocol",
            paramLabel = "ERA",
            defaultValue = "stateless",
            description = "MCP protocol era: stateless (2026-07-28, default) or session (2025-11-25: initialize, "
                    + "Mcp-Session-Id)")
    LoadTest.Protocol protocol;

    @Option(
            names = "--args",
            paramLabel = "JSON|@FILE",
            description = "the tool's arguments as a JSON object, or @FILE (default: {})")
    @Nullable
    String args;

    @Option(
            names = "--args-file",
            paramLabel = "JSONL",
            description = "argument sets, one JSON object per line; calls rotate through them in order")
    @Nullable
    Path argsFile;

    @Option(
            names = "--rate",
            paramLabel = "RATE",
            description = "open model: constant arrival rate, e.g. 2000/s " + "(for --duration)")
    @Nullable
    String rate;

    @Option(
            names = "--stages",
            paramLabel = "STAGES",
            description = "open model: ramps DURATION:RATE,..., each "
                    + "linear from the previous rate (0 at first), e.g. 10s:100/s,30s:2000/s")
    @Nullable
    String stages;

    @Option(
            names = {"-c", "--concurrency"},
            paramLabel = "N",
            description = "closed model: N concurrent callers (default when no --rate/--stages: 1)")
    @Nullable
    Integer concurrency;

    @SuppressWarnings("NullAway.Init") // picocli sets it, to its defaultValue when not given
    @Option(
            names = {"-d", "--duration"},
            paramLabel = "DURATION",
            defaultValue = "10s",
            description = "how long, for --rate and --concurrency (default: 10s; at most 24h)")
    String duration;

    @Option(
            names = "--max-calls",
            paramLabel = "N",
            defaultValue = "10000000",
            description = "stop after N calls (default: 10000000)")
    long maxCalls;

    @Option(
            names = "--max-in-flight",
            paramLabel = "N",
            defaultValue = "256",
            description = "open model: most calls (connections) in flight; a call due while all are busy waits and "
                    + "its latency still counts from its due time (default: 256)")
    int maxInFlight;

    @SuppressWarnings("NullAway.Init") // picocli sets it, to its defaultValue when not given
    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "30s",
            description = "longest one HTTP call may take before it counts as a timeout (default: 30s)")
    String timeout;

    @Option(
            names = "--pool",
            paramLabel = "N",
            defaultValue = "0",
            description = "in-process: keep N contexts prepared ahead of the calls, as the gateway's pool does "
                    + "(default: 0, every call a cold start)")
    int pool;

    @Option(
            names = "--metrics-url",
            paramLabel = "URL",
            description =
                    "the node's admin /metrics, read before and " + "after to report the gateway's CPU time per call")
    @Nullable
    URI metricsUrl;

    @Option(
            names = "--metrics-token",
            paramLabel = "TOKEN",
            defaultValue = "${env:ATOLL_ADMIN_TOKEN}",
            description = "admin bearer token for --metrics-url (default: $ATOLL_ADMIN_TOKEN)")
    @Nullable
    String metricsToken;

    @Option(names = "--out", paramLabel = "FILE", description = "write the result as JSON")
    @Nullable
    Path out;

    @Option(names = "--report", paramLabel = "FILE", description = "write a self-contained HTML report")
    @Nullable
    Path report;

    @Option(
            names = "--compare",
            arity = "2",
            paramLabel = "JSON",
            description = "compare two results written by --out (BEFORE AFTER) instead of running")
    List<Path> compare = new ArrayList<>();

    @Option(
            names = "--max-p99",
            paramLabel = "DURATION",
            description = "exit 1 if the p99 latency exceeds this, e.g. 250ms")
    @Nullable
    String maxP99;

    @Option(
            names = "--max-error-rate",
            paramLabel = "RATE",
            description = "exit 1 if the share of failed calls exceeds this, e.g. 0.01 or 1%%")
    @Nullable
    String maxErrorRate;

    @Option(
            names = {"-q", "--quiet"},
            description = "no live progress line")
    boolean quiet;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "show this help and exit")
    boolean help;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            Thresholds thresholds = new Thresholds(
                    Optional.ofNullable(maxP99).map(Stage::parseDuration),
                    maxErrorRate == null
                            ? OptionalDouble.empty()
                            : OptionalDouble.of(Thresholds.parseRate(maxErrorRate)));
            LoadTestReport result;
            List<LoadTestReport> shown;
            if (!compare.isEmpty()) {
                if (target != null) {
                    throw new ParameterException(spec.commandLine(), "--compare takes two result files, not a target");
                }
                LoadTestReport before = LoadTestReport.read(compare.get(0));
                result = LoadTestReport.read(compare.get(1));
                shown = List.of(before, result);
                spec.commandLine().getOut().print(LoadTestReport.compare(before, result));
            } else {
                result = build(err).run();
                if (live()) {
                    err.print("\r\033[K");
                    err.flush();
                }
                shown = List.of(result);
                spec.commandLine().getOut().print(result.summary());
                if (out != null) {
                    result.write(out);
                }
            }
            spec.commandLine().getOut().flush();
            if (report != null) {
                try {
                    Files.writeString(report, LoadTestReport.html(shown), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new LoadTestException("cannot write " + report + ": " + e.getMessage(), e);
                }
            }
            List<String> violations = thresholds.violations(result);
            violations.forEach(v -> err.println("atoll: threshold exceeded: " + v));
            return violations.isEmpty() ? OK : FAILED;
        } catch (LoadTestException e) {
            err.println("atoll: " + e.getMessage());
            return USAGE;
        }
    }

    // Still null in JDK 25 when stdin or stdout is not a terminal and the image has no console
    // provider module (jdk.internal.le): see java.io.Console.instantiateConsole.
    @SuppressWarnings("SystemConsoleNull")
    private boolean live() {
        return !quiet && System.console() != null && System.console().isTerminal();
    }

    private LoadTest build(PrintWriter err) {
        if (target == null) {
            throw new ParameterException(
                    spec.commandLine(), "a TOOL (with --url) or a tool FILE is needed, or --compare");
        }
        LoadTest.Builder b = LoadTest.builder();
        if (url != null) {
            b.http(url, token == null ? "" : token, target).protocol(protocol);
        } else {
            Path file = Path.of(target);
            if (!Files.isRegularFile(file)) {
                throw new ParameterException(
                        spec.commandLine(),
                        "'" + target + "' is not a tool file; to load a tool " + "on a running node give its --url");
            }
            b.inProcess(file).pool(pool);
        }
        if (args != null && argsFile != null) {
            throw new ParameterException(spec.commandLine(), "give --args or --args-file, not both");
        }
        if (args != null) {
            String json = args;
            if (args.startsWith("@")) {
                try {
                    json = Files.readString(Path.of(args.substring(1)), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new LoadTestException(
                            "cannot read the --args file " + args.substring(1) + ": " + e.getMessage());
                }
            }
            b.arguments(List.of(json));
        } else if (argsFile != null) {
            b.argumentsFile(argsFile);
        }
        int models = (rate != null ? 1 : 0) + (stages != null ? 1 : 0) + (concurrency != null ? 1 : 0);
        if (models > 1) {
            throw new ParameterException(spec.commandLine(), "give one of --rate, --stages, --concurrency");
        }
        Duration d = Stage.parseDuration(duration);
        if (rate != null) {
            b.rate(Stage.parseRate(rate), d);
        } else if (stages != null) {
            b.open(Stage.parseList(stages));
        } else {
            b.closed(concurrency == null ? 1 : concurrency, d);
        }
        b.maxCalls(maxCalls).maxInFlight(maxInFlight).timeout(Stage.parseDuration(timeout));
        if (metricsUrl != null) {
            b.gatewayMetrics(metricsUrl, metricsToken == null ? "" : metricsToken);
        }
        if (live()) {
            b.progress(p -> {
                String errors = p.errors().isEmpty()
                        ? "0"
                        : p.errors().entrySet().stream()
                                .map(e -> e.getKey() + "=" + e.getValue())
                                .collect(Collectors.joining(" "));
                err.print(String.format(
                        Locale.ROOT,
                        "\r\033[K%5.0fs  %d calls  %.0f/s  p50 %.2f ms  p99 %.2f ms  errors %s",
                        p.elapsed().toMillis() / 1000.0,
                        p.calls(),
                        p.rate(),
                        p.p50(),
                        p.p99(),
                        errors));
                err.flush();
            });
        }
        return b.build();
    }
}

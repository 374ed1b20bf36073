package dev.atoll.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.gateway.Gateway;
import dev.atoll.gateway.GatewayConfig;
import dev.atoll.loadtest.LoadTest;
import dev.atoll.loadtest.LoadTestReport;
import dev.atoll.loadtest.Stage;
import dev.atoll.runtime.ToolSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code atoll loadtest} against a real gateway on 127.0.0.1 (#22): rates and counts, a tool failing half its
 * calls, a 200 ms stall seen by the open model (coordinated omission), thresholds as the exit code. Rate
 * tolerances are loose: the machine running this may be loaded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoadTestGatewayTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    static final String TOKEN = "atoll_mcp_loadtest_fixture_token_0123456789";
    static final String FLAKY = """
            export const tool = {
              name: "flaky",
              description: "Fails or stalls when asked to",
              inputSchema: { type: "object", properties: { fail: { type: "boolean" }, spinMs: { type: "integer" } },
                             additionalProperties: false },
              limits: { cpuMs: 5000, wallMs: 10000 },
            };
            export default async function (args) {
              if (args.spinMs) { const end = Date.now() + args.spinMs; while (Date.now() < end) { } }
              if (args.fail) throw new Error("asked to fail");
              return "fine";
            }
            """;

    Gateway gateway;
    Path dir;
    URI mcp;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory(scratch, "atoll-loadtest");
        gateway = Gateway.builder()
                .config(GatewayConfig.defaults()
                        .with(Map.of(
                                "mcp.port",
                                "0",
                                "admin.port",
                                "0",
                                "data-dir",
                                dir.resolve("data").toString(),
                                "examples.deploy",
                                "false")))
                .mcpToken(TOKEN, "loadtest", Set.of("*"))
                .start();
        gateway.deployApproved(ToolSource.js("flaky.mjs", FLAKY));
        mcp = URI.create(gateway.mcpUrl());
        // a short warm-up, so that the first calls of a test do not pay for the node's first contexts
        LoadTest.builder()
                .http(mcp, TOKEN, "flaky")
                .closed(2, Duration.ofSeconds(20))
                .maxCalls(50)
                .build()
                .run();
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    @Test
    void openModelSendsWhatWasAskedAtTheRateAsked() {
        LoadTestReport r = LoadTest.builder()
                .http(mcp, TOKEN, "flaky")
                .open(Stage.parseList("0s:20/s,3s:20/s"))
                .gatewayMetrics(
                        URI.create(gateway.adminUrl() + "/metrics"),
                        gateway.startupTokens().get("ADMIN"))
                .build()
                .run();
        // the schedule asks for exactly 60 calls, the last due at 2.95 s; with 256 connections none waits
        assertEquals(60, r.calls(), r.summary());
        assertEquals(0, r.notSent(), r.summary());
        assertTrue(r.elapsedSeconds() >= 2.95 && r.elapsedSeconds() < 40, r.summary());
        // a loaded node may shed some (JSON-RPC -32001); nothing else is a safe answer
        assertTrue(Set.of("ok", "rpc_error_-32001").containsAll(r.outcomes().keySet()), r.summary());
        assertTrue(r.outcomes().getOrDefault("ok", 0L) >= 30, r.summary());
        assertEquals(
                r.calls(),
                r.timeline().stream().mapToLong(LoadTestReport.Second::calls).sum(),
                r.summary());
        assertTrue(
                r.gatewayCpuMicrosPerCall().isPresent()
                        && r.gatewayCpuMicrosPerCall().getAsDouble() > 0,
                r.summary());
    }

    @Test
    void closedModelKeepsItsCallersBusyInBothProtocolEras() {
        for (LoadTest.Protocol era : LoadTest.Protocol.values()) {
            LoadTestReport r = LoadTest.builder()
                    .http(mcp, TOKEN, "flaky")
                    .protocol(era)
                    .closed(4, Duration.ofSeconds(2))
                    .build()
                    .run();
            assertTrue(r.calls() >= 8, era + ": " + r.summary());
            assertEquals(r.calls(), (long) r.outcomes().getOrDefault("ok", 0L), era + ": " + r.summary());
            assertTrue(r.elapsedSeconds() >= 2 && r.elapsedSeconds() < 40, r.summary());
        }
    }

    @Test
    void aToolThatFailsHalfItsCallsIsCountedRight() {
        LoadTestReport r = LoadTest.builder()
                .http(mcp, TOKEN, "flaky")
                .arguments(List.of("{\"fail\":true}", "{\"fail\":false}"))
                .closed(4, Duration.ofSeconds(60))
                .maxCalls(200)
                .build()
                .run();
        assertEquals(200, r.calls(), r.summary());
        assertEquals(Map.of("ok", 100L, "tool_error", 100L), r.outcomes(), r.summary());
        assertEquals(0.5, r.errorRate(), 1e-9);
    }

    @Test
    void aStallShowsInTheOpenModelsPercentiles() {
        // One call in 20 stalls the server for 200 ms; 20 calls/s over 10 s on one connection: 200 calls,
        // 10 of them stalled (5 %). The calls due during a stall wait for the connection and their latency
        // counts from when they were due, so each stall also delays the next 2-4 calls by 50-200 ms: over
        // 10 % of the calls take 100 ms more than their service time and the p90 shows it. Measured from
        // the actual send (what a closed-loop tester reports: coordinated omission) only the stalled 5 % are
        // slow. On a node too loaded to answer 20/s on one connection the backlog is charged the same way.
        List<String> args = new ArrayList<>(Collections.nCopies(20, "{}"));
        args.set(10, "{\"spinMs\":200}");
        LoadTestReport r = LoadTest.builder()
                .http(mcp, TOKEN, "flaky")
                .arguments(args)
                .open(Stage.parseList("0s:20/s,10s:20/s"))
                .maxInFlight(1)
                .build()
                .run();
        assertEquals(200, r.calls() + r.notSent(), r.summary());
        assertTrue(
                Set.of("ok", "not_sent", "rpc_error_-32001")
                        .containsAll(r.outcomes().keySet()),
                r.summary());
        assertTrue(r.outcomes().getOrDefault("ok", 0L) >= 10, r.summary());
        assertTrue(r.serviceTime().max() >= 200, "the stalled calls themselves: " + r.summary());
        assertTrue(
                r.latency().p90() >= 100 && r.latency().p90() >= r.serviceTime().p90() + 50,
                "the calls kept waiting by the stalls: " + r.summary());
    }

    @Test
    void thresholdsSetTheExitCodeAndRunsCompare() throws Exception {
        Path args = Files.writeString(dir.resolve("half.jsonl"), "{\"fail\":true}\n{\"fail\":false}\n");
        Path before = dir.resolve("before.json");
        Path after = dir.resolve("after.json");
        Run failing = cli(
                "loadtest",
                "flaky",
                "--url",
                mcp.toString(),
                "--token",
                TOKEN,
                "--args-file",
                args.toString(),
                "-c",
                "2",
                "--max-calls",
                "40",
                "--max-error-rate",
                "10%",
                "--out",
                before.toString());
        assertEquals(1, failing.code(), failing.err());
        assertTrue(failing.err().contains("threshold exceeded: error rate 0.5000 (20 of 40) > 0.1"), failing.err());
        assertTrue(
                failing.out().contains("outcome tool_error") && failing.out().contains("latency p99 ms"),
                failing.out());

        Run passing = cli(
                "loadtest",
                "flaky",
                "--url",
                mcp.toString(),
                "--token",
                TOKEN,
                "--args",
                "{}",
                "-c",
                "2",
                "--max-calls",
                "40",
                "--max-error-rate",
                "0",
                "--max-p99",
                "60s",
                "--out",
                after.toString());
        assertEquals(0, passing.code(), passing.err());

        Run slow = cli(
                "loadtest",
                "flaky",
                "--url",
                mcp.toString(),
                "--token",
                TOKEN,
                "--args",
                "{\"spinMs\":50}",
                "-c",
                "1",
                "--max-calls",
                "5",
                "--max-p99",
                "10ms");
        assertEquals(1, slow.code(), slow.err());
        assertTrue(slow.err().contains("threshold exceeded: p99 latency"), slow.err());

        Path html = dir.resolve("compare.html");
        Run compare = cli("loadtest", "--compare", before.toString(), after.toString(), "--report", html.toString());
        assertEquals(0, compare.code(), compare.err());
        assertTrue(compare.out().contains("after/before"), compare.out());
        String report = Files.readString(html);
        assertEquals(2, report.split("\"format\":1,", -1).length - 1, "the report embeds both runs");

        Run usage = cli("loadtest", "flaky", "--url", mcp.toString(), "--rate", "10/s", "-c", "2");
        assertEquals(2, usage.code(), usage.err());
        Run unreachable = cli(
                "loadtest", "flaky", "--url", "http://127.0.0.1:1/mcp", "--protocol", "session", "--max-calls", "1");
        assertEquals(2, unreachable.code(), unreachable.err());
        assertTrue(unreachable.err().contains("cannot reach"), unreachable.err());
        Run nothingListens = cli("loadtest", "flaky", "--url", "http://127.0.0.1:1/mcp", "--max-calls", "3");
        assertEquals(2, nothingListens.code(), nothingListens.err());
        assertTrue(
                nothingListens.err().contains("cannot reach http://127.0.0.1:1/mcp: all 3 calls failed to connect"),
                nothingListens.err());
    }

    record Run(int code, String out, String err) {}

    static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}

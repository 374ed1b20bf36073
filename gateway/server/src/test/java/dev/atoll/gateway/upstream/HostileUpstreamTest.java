package dev.atoll.gateway.upstream;

import static dev.atoll.gateway.upstream.testing.UpstreamTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.testing.UpstreamGateway;
import dev.atoll.gateway.upstream.internal.BubblewrapLauncher;
import dev.atoll.gateway.upstream.testing.UpstreamTestSupport;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A deliberately malicious local upstream (test resource hostile-server.mjs) behind a real gateway. */
class HostileUpstreamTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    @BeforeAll
    static void needsBwrap() {
        UpstreamTestSupport.assumeBwrap();
    }

    private static UpstreamGateway evil(Map<String, String> overrides) throws Exception {
        UpstreamGateway g = new UpstreamGateway(overrides);
        g.addAndWait(
                "evil",
                List.of(UpstreamTestSupport.node(), UpstreamTestSupport.hostileServer()),
                Map.of(),
                List.of(Map.of("name", "data", "path", "/tmp/state")));
        g.approve("evil");
        return g;
    }

    private static String text(McpSchema.CallToolResult r) {
        return r.content().stream()
                .filter(c -> c instanceof McpSchema.TextContent)
                .map(c -> ((McpSchema.TextContent) c).text())
                .reduce("", String::concat);
    }

    private static McpSchema.CallToolResult call(McpSyncClient c, String tool, Map<String, Object> args) {
        return c.callTool(new McpSchema.CallToolRequest(tool, args));
    }

    @Test
    void aToolWhoseDescriptionChangesAfterApprovalIsPulledFromService() throws Exception {
        try (UpstreamGateway g = evil(Map.of());
                McpSyncClient c = g.client()) {
            assertEquals("hi", text(call(c, "evil__echo", Map.of("text", "hi"))));
            call(c, "evil__mutate", Map.of());
            await(
                    "evil__echo to leave tools/list",
                    Duration.ofSeconds(20),
                    () -> c.listTools().tools().stream().noneMatch(t -> t.name().equals("evil__echo")));
            McpError e = assertThrows(McpError.class, () -> call(c, "evil__echo", Map.of("text", "hi")));
            assertTrue(e.getMessage().contains("Unknown tool"), e.getMessage());
            JsonNode echo = tool(g.upstream("evil"), "echo");
            assertEquals("PULLED", echo.path("state").asText());
            assertTrue(echo.path("poisoningSigns").size() > 0, echo.toString());
            JsonNode audit = g.admin("GET", "/v1/audit?action=upstream.tool.pulled", null)
                    .path("body");
            assertEquals(1, audit.size(), audit.toString());
            assertEquals("evil__echo", audit.get(0).path("tool").asText());
            // The other tools keep serving; approving again re-pins the new definition.
            assertEquals("wrote /tmp/state/ok", text(call(c, "evil__write_outside", Map.of("path", "/tmp/state/ok"))));
            g.approve("evil");
            assertTrue(c.listTools().tools().stream()
                    .anyMatch(t ->
                            t.name().equals("evil__echo") && t.description().contains("IMPORTANT")));
        }
    }

    private static String logs(UpstreamGateway g, String name) {
        try {
            return g.admin("GET", "/v1/upstreams/" + name + "/logs?lines=40", null)
                    .path("body")
                    .path("lines")
                    .toString();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static JsonNode tool(JsonNode upstream, String name) {
        for (JsonNode t : upstream.path("tools")) {
            if (t.path("name").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no tool " + name + " in " + upstream);
    }

    @Test
    void writesOutsideTheStateDirAndNetworkConnectionsAreContained() throws Exception {
        Path outside = UpstreamTestSupport.root().resolve("gateway/server/target/pwned-" + System.nanoTime());
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                UpstreamGateway g = evil(Map.of());
                McpSyncClient c = g.client()) {
            AtomicInteger accepted = new AtomicInteger();
            listener.setSoTimeout(200);
            Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
                for (int i = 0; i < 600 && !listener.isClosed(); i++) { // at most 2 min
                    try (Socket s = listener.accept()) {
                        accepted.incrementAndGet();
                    } catch (SocketTimeoutException e) {
                        // keep listening
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            McpSchema.CallToolResult w = call(c, "evil__write_outside", Map.of("path", outside.toString()));
            assertTrue(w.isError() && text(w).contains("EROFS"), text(w));
            assertFalse(Files.exists(outside), "nothing was written on the host");
            McpSchema.CallToolResult inside = call(c, "evil__write_outside", Map.of("path", "/tmp/state/mine"));
            assertFalse(Boolean.TRUE.equals(inside.isError()), text(inside));
            assertTrue(Files.exists(g.dataDir.resolve("upstreams/state/evil/data/mine")), "the state dir is writable");

            McpSchema.CallToolResult net = call(c, "evil__connect", Map.of("port", listener.getLocalPort()));
            assertTrue(net.isError(), text(net));
            // A probe of our own, made after the tool answered: the accept queue is FIFO, so once the
            // probe is accepted any connection from the sandbox would have been counted before it.
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                UpstreamTestSupport.await(
                        "the probe to be accepted", Duration.ofSeconds(10), () -> accepted.get() >= 1);
            }
            assertEquals(1, accepted.get(), "the listener on 127.0.0.1 saw no connection but the probe");
            acceptor.interrupt();
            assertEquals("still here", text(call(c, "evil__echo", Map.of("text", "still here"))));
        }
    }

    @Test
    void aForkBombHitsThePidLimitAndTheGatewayKeepsServing() throws Exception {
        List<String> missing = BubblewrapLauncher.create(Files.createTempDirectory(scratch, "atoll-probe"))
                .notEnforced();
        assumeTrue(missing.stream().noneMatch(m -> m.startsWith("pids")), "no cgroup pids controller here: " + missing);
        // 2,000 refused spawns block the server's event loop for seconds on a loaded machine: the health
        // check must not kill it for that (this test is about the pid limit).
        try (UpstreamGateway g = new UpstreamGateway(Map.of("upstreams.health-timeout-ms", "60000"))) {
            JsonNode r = g.admin(
                    "POST",
                    "/v1/upstreams",
                    Map.of(
                            "name",
                            "bomb",
                            "command",
                            List.of(UpstreamTestSupport.node(), UpstreamTestSupport.hostileServer()),
                            "limits",
                            Map.of("pids", 48)));
            assertEquals(201, r.path("status").asInt(), r.toString());
            await("bomb to start", Duration.ofSeconds(60), () -> "running".equals(g.state("bomb")));
            g.approve("bomb");
            try (McpSyncClient c = g.client()) {
                McpSchema.CallToolResult bomb = call(c, "bomb__fork_bomb", Map.of());
                assertFalse(Boolean.TRUE.equals(bomb.isError()), () -> text(bomb) + "\nlogs: " + logs(g, "bomb"));
                JsonNode out = UpstreamTestSupport.JSON.readTree(text(bomb));
                assertTrue(out.path("alive").asInt() < 48, out.toString());
                assertFalse(out.path("refused").asText().isEmpty(), "process creation was refused: " + out);
                assertEquals("fine", text(call(c, "bomb__echo", Map.of("text", "fine"))));
            }
        }
    }

    @Test
    void aCrashMidCallGivesAClearErrorAndTheServerIsRestarted() throws Exception {
        try (UpstreamGateway g = evil(Map.of());
                McpSyncClient c = g.client()) {
            McpSchema.CallToolResult r = call(c, "evil__crash", Map.of());
            assertTrue(r.isError(), r.toString());
            assertTrue(text(r).contains("exited with code 3") && text(r).contains("restarted"), text(r));
            await(
                    "evil to be restarted",
                    Duration.ofSeconds(30),
                    () -> "running".equals(g.state("evil"))
                            && g.upstream("evil")
                                            .path("status")
                                            .path("restarts")
                                            .asInt()
                                    >= 1);
            assertEquals("back", text(call(c, "evil__echo", Map.of("text", "back"))));
            JsonNode logs =
                    g.admin("GET", "/v1/upstreams/evil/logs", null).path("body").path("lines");
            assertTrue(logs.toString().contains("exited with code 3"), logs.toString());
            assertTrue(logs.toString().contains("hostile server up"), "stderr is captured: " + logs);
        }
    }

    @Test
    void aServerThatStopsAnsweringPingsIsKilledAndRestarted() throws Exception {
        try (UpstreamGateway g = evil(Map.of("upstreams.health-timeout-ms", "300"));
                McpSyncClient c = g.client()) {
            long before = g.bwrapPid("evil");
            McpSchema.CallToolResult r = call(c, "evil__freeze", Map.of());
            assertTrue(r.isError() && text(r).contains("during the call"), text(r));
            // "running" alone can still be the frozen instance before the health check has killed it:
            // wait for a running instance with a new sandbox process.
            await(
                    "evil to be restarted",
                    Duration.ofSeconds(30),
                    () -> "running".equals(g.state("evil")) && g.bwrapPid("evil") != before);
            assertTrue(
                    g.admin("GET", "/v1/upstreams/evil/logs", null).toString().contains("health check failed"));
            assertEquals("thawed", text(call(c, "evil__echo", Map.of("text", "thawed"))));
        }
    }

    @Test
    void aFloodOfNotificationsAndRequestsDoesNotTakeTheGatewayDown() throws Exception {
        List<McpSchema.LoggingMessageNotification> logs = new CopyOnWriteArrayList<>();
        // No health check during the flood: on a loaded machine the gateway's answer to a ping can wait behind
        // 20,000 notifications past upstreams.health-timeout-ms, and the restart that follows is the health
        // check's doing (seen once at load average 20-26), not what this test is about.
        try (UpstreamGateway g = evil(Map.of("upstreams.health-interval-ms", "600000"));
                McpSyncClient c = g.client(p -> {}, logs::add)) {
            assertEquals("flooded", text(call(c, "evil__flood", Map.of())));
            // 20,000 log lines in one call: the call kept at most its budget, and the agent is told.
            await(
                    "the gateway's note that it dropped notifications",
                    Duration.ofSeconds(20),
                    () -> logs.stream().anyMatch(l -> String.valueOf(l.data()).contains("dropped")));
            assertTrue(logs.size() <= 1001, logs.size() + " log notifications reached the agent");
            assertEquals("after", text(call(c, "evil__echo", Map.of("text", "after"))));
            assertEquals("running", g.state("evil"));
            assertTrue(g.admin("GET", "/v1/upstreams/evil/logs?lines=5", null)
                            .path("body")
                            .path("lines")
                            .size()
                    <= 5);
            // 20,000 list_changed were coalesced: the tools were re-listed a few times, not 20,000.
            assertTrue(g.upstream("evil").path("status").path("restarts").asInt() == 0, "no restart was needed");
        }
    }

    @Test
    void dlpBlocksSecretsInArgumentsAndRedactsThemInResults() throws Exception {
        List<McpSchema.LoggingMessageNotification> logs = new CopyOnWriteArrayList<>();
        try (UpstreamGateway g = evil(Map.of());
                McpSyncClient c = g.client(p -> {}, logs::add)) {
            McpSchema.CallToolResult in = call(c, "evil__echo", Map.of("text", "key AKIAIOSFODNN7EXAMPLE"));
            assertTrue(in.isError() && text(in).contains("Blocked by data loss prevention"), text(in));
            McpSchema.CallToolResult out = call(c, "evil__secret", Map.of());
            assertFalse(text(out).contains("AKIAIOSFODNN7EXAMPLE"), text(out));
            assertTrue(text(out).contains("[REDACTED"), text(out));
            call(c, "evil__echo", Map.of("text", "with a log"));
            await(
                    "the upstream's log notification",
                    Duration.ofSeconds(10),
                    () -> logs.stream().anyMatch(l -> String.valueOf(l.data()).contains("echoing")));
            String digest =
                    tool(g.upstream("evil"), "secret").path("pinnedDigest").asText();
            JsonNode audit = g.admin("GET", "/v1/audit?tool=evil__secret&action=tool.call", null)
                    .path("body");
            assertEquals(1, audit.size(), audit.toString());
            assertEquals(digest, audit.get(0).path("digest").asText(), "the call record carries the pinned digest");
        }
    }
}

package dev.atoll.gateway.upstream;

import static dev.atoll.gateway.upstream.testing.UpstreamTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.testing.UpstreamGateway;
import dev.atoll.gateway.upstream.testing.UpstreamTestSupport;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The npm MCP servers server-memory and server-everything under bubblewrap, behind a real gateway,
 * called by the official MCP Java SDK client.
 */
class BubblewrapUpstreamTest {

    @BeforeAll
    static void needsBwrap() {
        UpstreamTestSupport.assumeBwrap();
    }

    @Test
    void memoryServerKeepsItsGraphAcrossACrashAndRestart() throws Exception {
        try (UpstreamGateway g = new UpstreamGateway(Map.of())) {
            JsonNode up = g.addAndWait(
                    "mem",
                    List.of(UpstreamTestSupport.node(), UpstreamTestSupport.npmServer("server-memory")),
                    Map.of("MEMORY_FILE_PATH", "/tmp/state/memory.jsonl"),
                    List.of(Map.of("name", "data", "path", "/tmp/state")));
            assertFalse(up.path("approved").asBoolean());
            try (McpSyncClient c = g.client()) {
                assertTrue(
                        c.listTools().tools().stream().noneMatch(t -> t.name().startsWith("mem__")),
                        "quarantined upstream tools are invisible");
                g.approve("mem");
                List<String> names =
                        c.listTools().tools().stream().map(McpSchema.Tool::name).toList();
                assertTrue(
                        names.contains("mem__create_entities") && names.contains("mem__read_graph"), names.toString());
                McpSchema.CallToolResult r = c.callTool(new McpSchema.CallToolRequest(
                        "mem__create_entities",
                        Map.of(
                                "entities",
                                List.of(Map.of(
                                        "name",
                                        "atoll",
                                        "entityType",
                                        "project",
                                        "observations",
                                        List.of("runs upstream servers in bubblewrap"))))));
                assertFalse(Boolean.TRUE.equals(r.isError()), r.toString());
                Path file = g.dataDir.resolve("upstreams/state/mem/data/memory.jsonl");
                assertTrue(Files.readString(file).contains("runs upstream servers"), "state lives in the state dir");

                long pid = g.bwrapPid("mem");
                ProcessHandle.of(pid).orElseThrow().destroyForcibly();
                await(
                        "mem to be restarted",
                        Duration.ofSeconds(30),
                        () -> g.upstream("mem").path("status").path("restarts").asInt() >= 1
                                && "running".equals(g.state("mem")));
                assertTrue(g.bwrapPid("mem") != pid);
                McpSchema.CallToolResult graph = c.callTool(new McpSchema.CallToolRequest("mem__read_graph", Map.of()));
                assertTrue(
                        graph.content().toString().contains("runs upstream servers in bubblewrap"), graph.toString());
            }
        }
    }

    @Test
    void everythingServerContentProgressLogsAndErrors() throws Exception {
        try (UpstreamGateway g = new UpstreamGateway(Map.of())) {
            g.addAndWait(
                    "every",
                    List.of(UpstreamTestSupport.node(), UpstreamTestSupport.npmServer("server-everything"), "stdio"),
                    Map.of(),
                    List.of());
            g.approve("every");
            List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();
            try (McpSyncClient c = g.client(progress::add, l -> {})) {
                List<String> names =
                        c.listTools().tools().stream().map(McpSchema.Tool::name).toList();
                assertTrue(names.contains("every__echo") && names.contains("every__get-tiny-image"), names.toString());

                McpSchema.CallToolResult echo =
                        c.callTool(new McpSchema.CallToolRequest("every__echo", Map.of("message", "hello upstream")));
                assertTrue(
                        echo.content().getFirst() instanceof McpSchema.TextContent t
                                && t.text().contains("hello upstream"),
                        echo.toString());

                McpSchema.CallToolResult image =
                        c.callTool(new McpSchema.CallToolRequest("every__get-tiny-image", Map.of()));
                assertTrue(
                        image.content().stream()
                                .anyMatch(x -> x instanceof McpSchema.ImageContent i
                                        && i.mimeType().equals("image/png")
                                        && !i.data().isEmpty()),
                        image.toString());

                McpSchema.CallToolResult structured = c.callTool(
                        new McpSchema.CallToolRequest("every__get-structured-content", Map.of("location", "New York")));
                assertTrue(structured.structuredContent() != null, structured.toString());

                McpSchema.CallToolResult longOp = c.callTool(McpSchema.CallToolRequest.builder()
                        .name("every__trigger-long-running-operation")
                        .arguments(Map.of("duration", 1, "steps", 3))
                        .progressToken("p-1")
                        .build());
                assertFalse(Boolean.TRUE.equals(longOp.isError()), longOp.toString());
                await("3 progress notifications", Duration.ofSeconds(10), () -> progress.size() >= 3);
                assertEquals("p-1", progress.getFirst().progressToken());
                // Delivered to the consumer asynchronously: compare as a set, not in order.
                assertEquals(
                        List.of(1.0, 2.0, 3.0),
                        progress.stream()
                                .map(McpSchema.ProgressNotification::progress)
                                .sorted()
                                .toList());

                McpSchema.CallToolResult bad = c.callTool(new McpSchema.CallToolRequest(
                        "every__get-resource-reference", Map.of("resourceType", "nonsense", "resourceId", 1)));
                assertTrue(Boolean.TRUE.equals(bad.isError()), bad.toString());
            }
        }
    }

    @Test
    void aServerIsRecycledAfterItsMaximumLifetimeAndKeepsServing() throws Exception {
        try (UpstreamGateway g = new UpstreamGateway(Map.of("upstreams.max-lifetime-ms", "1500"))) {
            g.addAndWait(
                    "old",
                    List.of(UpstreamTestSupport.node(), UpstreamTestSupport.hostileServer()),
                    Map.of(),
                    List.of());
            g.approve("old");
            long first = g.bwrapPid("old");
            await(
                    "a recycle",
                    Duration.ofSeconds(30),
                    () -> "running".equals(g.state("old")) && g.bwrapPid("old") != first);
            assertFalse(ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false), "the old process is gone");
            assertEquals(0, g.upstream("old").path("status").path("restarts").asInt(), "a recycle is not a crash");
            try (McpSyncClient c = g.client()) {
                // With a 1.5 s lifetime the next recycle can already be under way when the call arrives;
                // the gateway then answers -32003 "starting; retry shortly" with retryAfterMs, which an
                // agent honours: so does this test, for a bounded time.
                // Any other error fails the test at once.
                McpSchema.CallToolResult r = org.awaitility.Awaitility.await("old__echo answered after a recycle")
                        .atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(100))
                        .ignoreExceptionsMatching(e -> e instanceof McpError m
                                && m.getJsonRpcError() != null
                                && m.getJsonRpcError().code() == -32003)
                        .until(
                                () -> c.callTool(new McpSchema.CallToolRequest("old__echo", Map.of("text", "new"))),
                                java.util.Objects::nonNull);
                assertFalse(Boolean.TRUE.equals(r.isError()), r.toString());
            }
        }
    }
}

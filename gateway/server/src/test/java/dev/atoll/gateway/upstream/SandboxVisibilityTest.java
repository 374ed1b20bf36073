package dev.atoll.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.testing.UpstreamGateway;
import dev.atoll.gateway.upstream.testing.UpstreamTestSupport;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #17: the bubblewrap sandbox's private {@code /tmp} hid a server that lives under the host's
 * {@code /tmp} ({@code Cannot find module} in its logs, after {@code upstream add} had said yes). The
 * command's own files are now bound read-only into the sandbox; what cannot run is refused at add.
 */
class SandboxVisibilityTest {

    /** Projects made directly under /tmp (the case under test), deleted after the tests. */
    private static final List<Path> PROJECTS = new java.util.concurrent.CopyOnWriteArrayList<>();

    @AfterAll
    static void deleteProjects() {
        PROJECTS.forEach(UpstreamTestSupport::deleteTree);
    }

    @BeforeAll
    static void needsBwrap() {
        UpstreamTestSupport.assumeBwrap();
    }

    /** A Node project under /tmp: src/main.mjs imports the package "hostile" from its node_modules. */
    private static Path projectUnderTmp() throws Exception {
        Path project = Files.createTempDirectory(Path.of("/tmp"), "atoll-project");
        PROJECTS.add(project);
        Path pkg = Files.createDirectories(project.resolve("node_modules/hostile"));
        Files.copy(Path.of(UpstreamTestSupport.hostileServer()), pkg.resolve("index.mjs"));
        Files.writeString(
                pkg.resolve("package.json"), "{\"name\":\"hostile\",\"type\":\"module\",\"main\":\"index.mjs\"}");
        Files.writeString(Files.createDirectories(project.resolve("src")).resolve("main.mjs"), "import \"hostile\";\n");
        return project;
    }

    @Test
    void aServerWhoseFilesAreUnderTmpRunsInTheSandbox() throws Exception {
        Path project = projectUnderTmp();
        try (UpstreamGateway g = new UpstreamGateway(Map.of())) {
            g.addAndWait(
                    "tmpserver",
                    List.of(
                            UpstreamTestSupport.node(),
                            project.resolve("src/main.mjs").toString()),
                    Map.of(),
                    List.of());
            g.approve("tmpserver");
            try (McpSyncClient c = g.client()) {
                McpSchema.CallToolResult r =
                        c.callTool(new McpSchema.CallToolRequest("tmpserver__echo", Map.of("text", "from /tmp")));
                assertFalse(Boolean.TRUE.equals(r.isError()), r.toString());
                assertEquals("from /tmp", ((McpSchema.TextContent) r.content().getFirst()).text());
                // Bound read-only: the server cannot change its own files.
                McpSchema.CallToolResult w = c.callTool(new McpSchema.CallToolRequest(
                        "tmpserver__write_outside",
                        Map.of("path", project.resolve("src/evil.mjs").toString())));
                assertTrue(Boolean.TRUE.equals(w.isError()), w.toString());
                assertFalse(Files.exists(project.resolve("src/evil.mjs")));
            }
        }
    }

    @Test
    void addRefusesACommandThatCannotRunInTheSandbox() throws Exception {
        Path project = projectUnderTmp();
        try (UpstreamGateway g = new UpstreamGateway(Map.of())) {
            String node = UpstreamTestSupport.node();
            // The data dir (a temp dir under /tmp here) holds the registry: never bound into a sandbox.
            Path insideData = g.dataDir.resolve("server.mjs");
            Files.copy(Path.of(UpstreamTestSupport.hostileServer()), insideData);
            Map<List<String>, String> cases = Map.of(
                    List.of("/nonexistent/bin/node", "server.js"), "does not exist",
                    List.of("bin/node"), "relative path",
                    List.of("no-such-program-atoll"), "not on the sandbox's PATH",
                    List.of(node, project.resolve("src/missing.mjs").toString()), "does not exist",
                    List.of(node, insideData.toString()), "private /tmp would hide it");
            for (Map.Entry<List<String>, String> e : cases.entrySet()) {
                JsonNode r = g.admin(
                        "POST", "/v1/upstreams", Map.of("name", "bad", "kind", "bubblewrap", "command", e.getKey()));
                assertEquals(400, r.path("status").asInt(), r.toString());
                assertEquals(
                        "will_not_start",
                        r.path("body").path("error").path("code").asText(),
                        r.toString());
                String m = r.path("body").path("error").path("message").asText();
                assertTrue(m.startsWith("cannot add 'bad': ") && m.contains(e.getValue()), e.getKey() + ": " + m);
            }
            assertEquals(0, g.admin("GET", "/v1/upstreams", null).path("body").size(), "nothing was registered");
        }
    }
}

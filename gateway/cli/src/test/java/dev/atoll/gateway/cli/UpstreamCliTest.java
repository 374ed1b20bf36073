package dev.atoll.gateway.cli;

import static dev.atoll.gateway.upstream.testing.UpstreamTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.gateway.testing.UpstreamGateway;
import dev.atoll.gateway.upstream.testing.UpstreamTestSupport;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code atoll upstream add → list → approve → call → logs → remove} against a running gateway. */
class UpstreamCliTest {

    @BeforeAll
    static void needsBwrap() {
        UpstreamTestSupport.assumeBwrap();
    }

    private record Run(int code, String out, String err) {}

    private static Run atoll(UpstreamGateway g, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        int at = all.indexOf("--") < 0 ? all.size() : all.indexOf("--");
        all.addAll(at, List.of("--admin-url", g.gateway.adminUrl(), "--token", g.adminToken));
        int code = Main.run(
                all.toArray(String[]::new),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void addListApproveCallLogsRemove() throws Exception {
        try (UpstreamGateway g = new UpstreamGateway(Map.of())) {
            Run add = atoll(
                    g,
                    "upstream",
                    "add",
                    "cli",
                    "--sandbox",
                    "--env",
                    "GREETING=hi",
                    "--volume",
                    "data:/tmp/state",
                    "--",
                    UpstreamTestSupport.node(),
                    UpstreamTestSupport.hostileServer());
            assertEquals(0, add.code(), add.err());
            assertTrue(add.out().contains("quarantined"), add.out());
            await("cli to list its tools", Duration.ofSeconds(60), () -> "running".equals(g.state("cli")));

            Run list = atoll(g, "upstream", "list");
            assertEquals(0, list.code(), list.err());
            assertTrue(list.out().contains("cli  bubblewrap  QUARANTINED  running"), list.out());
            assertTrue(list.out().contains("cli__echo"), list.out());

            Run approve = atoll(g, "upstream", "approve", "cli");
            assertEquals(0, approve.code(), approve.err());
            assertTrue(approve.out().contains("9 tool(s) pinned and serving"), approve.out());

            Run show = atoll(g, "upstream", "show", "cli");
            assertEquals(0, show.code(), show.err());
            assertTrue(
                    show.out().lines().anyMatch(l -> l.matches("  (cli__)?echo  serving  pin [0-9a-f]{64}")),
                    show.out());
            assertTrue(show.out().contains("description : Echoes its text."), show.out());

            try (McpSyncClient c = g.client()) {
                McpSchema.CallToolResult r =
                        c.callTool(new McpSchema.CallToolRequest("cli__echo", Map.of("text", "via cli")));
                assertEquals("via cli", ((McpSchema.TextContent) r.content().getFirst()).text());
            }

            Run logs = atoll(g, "upstream", "logs", "cli", "--lines", "50");
            assertEquals(0, logs.code(), logs.err());
            assertTrue(logs.out().contains("hostile server up"), logs.out());

            Run remove = atoll(g, "upstream", "remove", "cli");
            assertEquals(0, remove.code(), remove.err());
            Run empty = atoll(g, "upstream", "list");
            assertTrue(empty.out().contains("no upstreams"), empty.out());
            try (McpSyncClient c = g.client()) {
                assertTrue(
                        c.listTools().tools().stream().noneMatch(t -> t.name().startsWith("cli__")));
            }
        }
    }

    @Test
    void errorsAreClearMessages() throws Exception {
        try (UpstreamGateway g = new UpstreamGateway(Map.of("upstreams.launchers", "[bubblewrap]"))) {
            Run docker = atoll(g, "upstream", "add", "dock", "--image", "alpine:3", "--", "/bin/server");
            assertEquals(1, docker.code());
            assertTrue(
                    docker.err().contains("docker backend is disabled")
                            || docker.err().contains("docker backend is not available"),
                    docker.err());
            Run unknown = atoll(g, "upstream", "approve", "nope");
            assertEquals(1, unknown.code());
            assertTrue(unknown.err().contains("no upstream named 'nope'"), unknown.err());
            Run noCommand = atoll(g, "upstream", "add", "x");
            assertEquals(2, noCommand.code());
            assertTrue(noCommand.err().contains("needs the server's command after --"), noCommand.err());
            Run badName = atoll(g, "upstream", "add", "Bad_Name", "--", "/bin/true");
            assertEquals(1, badName.code());
            assertTrue(badName.err().contains("must match"), badName.err());
            Run badVolume = atoll(g, "upstream", "add", "v", "--volume", "novolume", "--", "/bin/true");
            assertEquals(2, badVolume.code());
            assertTrue(badVolume.err().contains("NAME:/absolute/path"), badVolume.err());
            assertTrue(!docker.err().contains("Exception") && !unknown.err().contains("\tat "), "no stack traces");
        }
    }
}

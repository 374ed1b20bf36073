package dev.atoll.gateway.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.runtime.ToolSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue #23: {@code atoll tail} streams calls as they finish from the admin API's SSE live tail. */
class TailCliTest extends CliFixture {

    @BeforeAll
    void tools() {
        gateway.deployApproved(ToolSource.js("shout.mjs", """
                export const tool = { name: "shout", description: "logs", inputSchema: { type: "object" } };
                export default () => { console.warn("loud\\u0007"); return "done"; };
                """));
        gateway.deployApproved(ToolSource.js("hush.mjs", """
                export const tool = { name: "hush", description: "quiet", inputSchema: { type: "object" } };
                export default () => "ok";
                """));
    }

    /** Runs {@code atoll tail ARGS} on a thread, calling {@code tool} until its line shows, then waits for the end. */
    private String tailWhileCalling(String tool, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AtomicInteger code = new AtomicInteger(-1);
        String[] all = new String[args.length + 5];
        all[0] = "tail";
        System.arraycopy(args, 0, all, 1, args.length);
        System.arraycopy(
                new String[] {"--admin-url", gateway.adminUrl(), "--token", admin}, 0, all, args.length + 1, 4);
        Thread t = Thread.ofPlatform()
                .daemon()
                .start(() -> code.set(Main.run(
                        all,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8))));
        // The stream may open after a call: call (hush first, which the filters leave out) until tail ends.
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    call("hush", "{}");
                    call(tool, "{}");
                    return !t.isAlive();
                });
        assertEquals(0, code.get(), err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsOneLinePerCallWithItsConsoleOutputAndFilters() throws Exception {
        String out = tailWhileCalling("shout", "--tool", "shout", "--tenant", "cli", "--outcome", "ok", "-n", "1");
        String[] lines = out.split("\n");
        assertTrue(
                lines[0].matches(
                        "\\S+Z \\S+ cli shout@1 isolate ok [0-9.]+ms cpu=[0-9.]+ms wall=[0-9.]+ms mem=\\d+[KMB]+"),
                lines[0]);
        assertTrue(
                lines[1].matches(" {4}\\| warn(ing)?: loud\\\\u0007"),
                "console output, control characters " + "escaped: " + lines[1]);
        assertFalse(out.contains("hush"), out);
    }

    @Test
    void printsJsonWithTheJsonOption() throws Exception {
        String out = tailWhileCalling("shout", "--tool", "shout", "--json", "-n", "1");
        JsonNode e = new ObjectMapper().readTree(out.lines().findFirst().orElseThrow());
        assertEquals("call", e.path("type").asText());
        assertEquals("shout", e.path("tool").asText());
        assertEquals("cli", e.path("tenant").asText());
        assertTrue(e.at("/receipt/wallMs").asDouble() > 0, out);
    }

    /** {@code --fleet} asks for the merged tail; on a node alone it is that node's calls. */
    @Test
    void fleetStreamsTheMergedTail() throws Exception {
        String out = tailWhileCalling("shout", "--fleet", "--tool", "shout", "--json", "-n", "1");
        JsonNode e = new ObjectMapper().readTree(out.lines().findFirst().orElseThrow());
        assertEquals("shout", e.path("tool").asText(), out);
    }

    @Test
    void printsANodeLine() throws Exception {
        java.io.StringWriter w = new java.io.StringWriter();
        TailCommand.print(
                "node",
                new ObjectMapper()
                        .readTree("{\"type\":\"node\",\"at\":\"2026-12-06T10:00:00Z\","
                                + "\"node\":\"gw-3\",\"state\":\"lost\",\"detail\":\"its stream ended\\u0007\"}"),
                false,
                new java.io.PrintWriter(w));
        assertEquals(
                "2026-12-06T10:00:00Z gw-3 node lost: its stream ended\\u0007",
                w.toString().strip());
    }

    @Test
    void aTokenThatIsNotAnAdminTokenIsRefused() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(
                new String[] {"tail", "--admin-url", gateway.adminUrl(), "--token", MCP},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("the gateway refused (401)"), err.toString());
    }
}

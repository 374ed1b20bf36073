package dev.atoll.gateway;

import dev.atoll.runtime.ToolSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * A gateway with the default configuration (ports 0, its own data directory) in a JVM of its own, for
 * {@link NodeContainmentTest}: deploys and approves the hostile tools and the benign one, prints
 * {@code READY <mcp url> <admin url>} and runs until its stdin closes. Written-off guest threads die
 * with this JVM instead of burning a core for the rest of the suite.
 */
public final class NodeContainmentChild {

    /** The MCP token of the attackers and the agents. */
    static final String TOKEN = "atoll_mcp_containment_test_token_0";

    /** Hostile tools by name: function body of the default export, default limits. */
    static final Map<String, String> HOSTILE = Map.of(
            // Catches its stack overflow and recurses again: Truffle cannot always land the cancellation.
            "wedge", "function f() { try { f(); } catch (e) { f(); } } f(); return 1;",
            "spin", "for (;;) {}",
            // A rope of 2^27 characters, flattened in one step by indexOf.
            "rope", "let s = 'ab'; for (let i = 0; i < 26; i++) { s += s; } return s.indexOf('z');",
            "hoard", "const keep = []; for (;;) { keep.push({ n: keep.length, s: 'y' + keep.length }); }",
            "microtasks", "for (;;) { await null; }",
            // About 200 MB of result built with join (repeat is bounded up front).
            "huge", "return new Array(200).fill('x'.repeat(1 << 20)).join('');");

    private NodeContainmentChild() {}

    /**
     * @param args none (system property {@code atoll.containment.data}: the data directory, which the
     *     parent test owns and deletes)
     * @throws Exception if the gateway does not start
     */
    public static void main(String[] args) throws Exception {
        String given = System.getProperty("atoll.containment.data", "");
        Path data = given.isEmpty() ? Files.createTempDirectory("atoll-containment") : Path.of(given);
        Gateway gateway = Gateway.builder()
                .config(GatewayConfig.defaults()
                        .with(Map.of(
                                "mcp.port",
                                "0",
                                "admin.port",
                                "0",
                                "data-dir",
                                data.toString(),
                                "examples.deploy",
                                "false")))
                .mcpToken(TOKEN, "tenant", Set.of("*"))
                .start();
        for (var e : HOSTILE.entrySet()) {
            gateway.deployApproved(tool(e.getKey(), e.getValue()));
        }
        gateway.deployApproved(tool("tiny", "return 2 + 2;"));
        System.out.println("READY " + gateway.mcpUrl() + " " + gateway.adminUrl());
        System.out.flush();
        while (System.in.read() >= 0) {
            // run until the test closes our stdin
        }
        gateway.close();
    }

    private static ToolSource tool(String name, String body) {
        return ToolSource.js(name + ".mjs", """
                export const tool = { name: "%s", description: "containment test", inputSchema: { type: "object" } };
                export default async function (args, env) {
                %s
                }
                """.formatted(name, body));
    }
}

package dev.atoll.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Issue #17 item 5: misspelt options are refused (with a suggestion), and every command has --help. */
class CliParsingTest extends CliFixture {

    @Test
    void aMisspeltOptionIsRefusedAndNothingIsApproved() throws Exception {
        Path f = dir.resolve("typo.mjs");
        Files.writeString(f, """
                export const tool = { name: "typo", description: "Echoes", inputSchema: { type: "object" } };
                export default function () { return "ok"; }
                """);
        assertEquals(0, cli("deploy", f.toString()).code());
        Run r = cli("tools", "approve", "typo", "--verison", "3");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("Unknown option") && r.err().contains("'--verison'"), r.err());
        assertTrue(r.err().contains("--version"), "suggests the right option: " + r.err());
        assertTrue(r.err().contains("atoll tools approve --help"), r.err());
        assertEquals(
                "Unknown tool: typo", call("typo", "{}").at("/error/message").asText(), "still quarantined");
        assertTrue(cli("tools", "list").out().contains("v1:quarantined"));

        Run sub = cli("tools", "aprove", "typo");
        assertEquals(2, sub.code());
        assertTrue(sub.err().contains("approve"), "suggests the command: " + sub.err());
    }

    @Test
    void everyGroupAndCommandAnswersHelp() {
        for (String[] args : new String[][] {
            {"--help"},
            {"help"},
            {"tools", "--help"},
            {"upstream", "--help"},
            {"audit", "--help"},
            {"tokens", "--help"},
            {"tools", "approve", "--help"},
            {"serve", "--help"},
            {"run", "-h"},
            {"help", "upstream", "add"}
        }) {
            Run r = MainTestSupport.atoll(args);
            assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: atoll"), String.join(" ", args) + ": " + r.out());
            assertTrue(r.err().isEmpty(), r.err());
        }
        // Each group without a command: a usage error that names exactly its subcommands.
        for (String[] g : new String[][] {
            {"tools", "list, show, changes, approve, reject, rollback, disable, enable, delete"},
            {"tokens", "list, create, revoke"},
            {"audit", "verify, tail, export, head"},
            {"upstream", "add, list, show, approve, remove, logs"}
        }) {
            Run group = MainTestSupport.atoll(g[0]);
            assertEquals(2, group.code(), group.err());
            assertTrue(group.err().contains(g[0] + " needs a command: " + g[1]), group.err());
        }
    }
}

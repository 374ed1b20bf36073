package dev.atoll.gateway.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Issue #17 item 3: {@code audit tail} shows the newest records, and {@code --follow} keeps going. */
class AuditTailCliTest extends CliFixture {

    private Path tool(String name) throws Exception {
        Path f = dir.resolve(name + ".mjs");
        Files.writeString(f, """
                export const tool = { name: "%s", description: "Echoes", inputSchema: { type: "object" } };
                export default function () { return "ok"; }
                """.formatted(name));
        return f;
    }

    private List<Long> seqs(Run r) throws Exception {
        ObjectMapper m = new ObjectMapper();
        return r.out()
                .lines()
                .map(l -> {
                    try {
                        return m.readTree(l).path("seq").asLong();
                    } catch (Exception e) {
                        throw new AssertionError(l, e);
                    }
                })
                .toList();
    }

    @Test
    void tailShowsTheNewestRecordsOldestFirst() throws Exception {
        for (int i = 0; i < 6; i++) {
            assertEquals(0, cli("deploy", tool("t" + i).toString()).code());
        }
        long head = new ObjectMapper()
                .readTree(cli("audit", "head", "--json").out())
                .path("seq")
                .asLong();
        assertTrue(head >= 6, "enough records: " + head);

        assertEquals(List.of(head - 3, head - 2, head - 1, head), seqs(cli("audit", "tail", "--limit", "4", "--json")));
        Run text = cli("audit", "tail", "--limit", "2");
        assertTrue(text.out().startsWith("#" + (head - 1) + " ") && text.out().contains("tool.deploy t5"), text.out());
        // Issue #21: each record names the node (node.id, else the host name) and region that wrote it.
        assertTrue(text.out().contains(" node=") && text.out().contains(" region=default"), text.out());
        assertTrue(
                !new ObjectMapper()
                        .readTree(cli("audit", "tail", "--limit", "1", "--json").out())
                        .path("node")
                        .asText()
                        .isEmpty(),
                "the JSON of a record has its node");

        // A filter: the newest matching records even when they are not the newest overall.
        assertEquals(0, cli("deploy", tool("other").toString()).code());
        Run t1 = cli("audit", "tail", "--limit", "1", "--tool", "t1", "--json");
        JsonNode only = new ObjectMapper().readTree(t1.out());
        assertEquals("t1", only.path("tool").asText(), t1.out());
    }

    @Test
    void followPrintsNewRecordsUntilInterrupted() throws Exception {
        assertEquals(0, cli("deploy", tool("before").toString()).code());
        ByteArrayOutputStream out = new ByteArrayOutputStream(); // synchronized: safe to read while written
        AtomicInteger code = new AtomicInteger(-1);
        Thread follower = Thread.ofPlatform()
                .start(() -> code.set(Main.run(
                        new String[] {
                            "audit",
                            "tail",
                            "--limit",
                            "1",
                            "--follow",
                            "--interval-ms",
                            "100",
                            "--admin-url",
                            gateway.adminUrl(),
                            "--token",
                            admin
                        },
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(new ByteArrayOutputStream()))));
        try {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> out.toString(StandardCharsets.UTF_8).contains("before"));
            assertEquals(0, cli("deploy", tool("after_follow").toString()).code());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> out.toString(StandardCharsets.UTF_8).contains("tool.deploy after_follow"));
        } finally {
            follower.interrupt();
            follower.join(Duration.ofSeconds(30));
        }
        assertTrue(!follower.isAlive(), "interrupting ends --follow");
        assertEquals(0, code.get());
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(
                1,
                printed.lines()
                        .filter(l -> l.contains("tool.deploy after_follow"))
                        .count(),
                "each record once: " + printed);
    }
}

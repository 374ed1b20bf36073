package dev.atoll.gateway.upstream.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.atoll.gateway.registry.SandboxKind;
import dev.atoll.gateway.registry.UpstreamLimits;
import dev.atoll.gateway.registry.UpstreamSpec;
import dev.atoll.gateway.upstream.spi.LaunchRequest;
import dev.atoll.gateway.upstream.spi.SandboxProcess;
import dev.atoll.gateway.upstream.testing.UpstreamTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stdio client against real misbehaving processes in bubblewrap. */
class StdioMcpClientTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    private BubblewrapLauncher launcher;

    @BeforeAll
    static void needsBwrap() {
        UpstreamTestSupport.assumeBwrap();
    }

    @AfterEach
    void close() {
        if (launcher != null) {
            launcher.close();
        }
    }

    private SandboxProcess start(String script) throws Exception {
        return start(List.of("/bin/sh", "-c", script));
    }

    private SandboxProcess start(List<String> command) throws Exception {
        Path dir = Files.createTempDirectory(scratch, "atoll-client");
        launcher = BubblewrapLauncher.create(dir.resolve("run"));
        UpstreamSpec spec = new UpstreamSpec(
                "t",
                SandboxKind.BUBBLEWRAP,
                Optional.empty(),
                command,
                Map.of(),
                List.of(),
                List.of(),
                UpstreamLimits.DEFAULT);
        // A fresh instance id per start: a sandbox's cgroup is named after it and removed when it exits.
        return launcher.launch(new LaunchRequest(
                spec, "t-" + System.nanoTime(), "client-test", dir.resolve("state"), Optional.empty()));
    }

    @Test
    void aLineLongerThanTheLimitStopsTheServerInsteadOfFillingTheHeap() throws Exception {
        // 8 MiB without a newline, then a valid answer that must never be read.
        SandboxProcess p = start("read req; head -c 8388608 /dev/zero | tr '\\0' a; "
                + "echo '{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}'; sleep 30");
        LogRing logs = new LogRing(100, 4096);
        StdioMcpClient c = new StdioMcpClient("t", p, 64 * 1024, logs, (m, params) -> {});
        UpstreamException e = assertThrows(UpstreamException.class, () -> c.ping(Duration.ofSeconds(20)));
        assertEquals(UpstreamException.Kind.DOWN, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("longer than 65536 bytes"), e.getMessage());
        assertTrue(p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS) != null);
        assertFalse(p.isAlive());
        assertTrue(logs.tail(10).toString().contains("protocol violation"));
    }

    @Test
    void aServerThatNeverAnswersTimesOutAndOneThatExitsFailsTheCallAtOnce() throws Exception {
        SandboxProcess silent = start("echo listening >&2; sleep 30");
        StdioMcpClient c = new StdioMcpClient("t", silent, 65536, new LogRing(10, 100), (m, params) -> {});
        UpstreamException timeout = assertThrows(UpstreamException.class, () -> c.ping(Duration.ofMillis(300)));
        assertEquals(UpstreamException.Kind.TIMEOUT, timeout.kind());
        c.close(Duration.ZERO);
        launcher.close();

        SandboxProcess dying = start("read req; echo 'bye' >&2; exit 7");
        LogRing logs = new LogRing(10, 100);
        StdioMcpClient d = new StdioMcpClient("t", dying, 65536, logs, (m, params) -> {});
        long t0 = System.nanoTime();
        UpstreamException down = assertThrows(
                UpstreamException.class,
                () -> d.callTool("x", JsonNodeFactory.instance.objectNode(), Duration.ofSeconds(60)));
        assertEquals(UpstreamException.Kind.DOWN, down.kind());
        assertTrue(down.getMessage().contains("exited with code 7"), down.getMessage());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(30).toNanos(), "failed at the exit, not at the timeout");
        UpstreamTestSupport.await(
                "stderr in the ring",
                Duration.ofSeconds(5),
                () -> logs.tail(5).toString().contains("bye"));
    }

    /**
     * A Node stdio server that answers each tools/call after {@code n} log and {@code n} progress
     * notifications of {@code kib} KiB each, and answers ping.
     */
    private static String flooder(int n, int kib) {
        return "const rl = require('readline').createInterface({ input: process.stdin });"
                + " const send = (m) => process.stdout.write(JSON.stringify(m) + '\\n');"
                + " const big = 'x'.repeat(" + kib + " * 1024);"
                + " rl.on('line', (l) => { const m = JSON.parse(l);"
                + "   if (m.method === 'ping') { send({ jsonrpc: '2.0', id: m.id, result: {} }); return; }"
                + "   if (m.method !== 'tools/call') { return; }"
                + "   const token = m.params._meta.progressToken;"
                + "   for (let i = 0; i < " + n + "; i++) {"
                + "     send({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: big } });"
                + "     send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: token,"
                + "       progress: i, message: big } }); }"
                + "   send({ jsonrpc: '2.0', id: m.id, result: { content: [{ type: 'text', text: 'flooded' }] } }); });";
    }

    /**
     * A Node stdio server whose tools/call sends progress 1 of 2 (and two invalid ones), then asks the
     * client for its roots, then sends progress 2 and answers with what the roots request got.
     */
    private static final String ROOTS_AND_PROGRESS =
            "const rl = require('readline').createInterface({ input: process.stdin });"
                    + " const send = (m) => process.stdout.write(JSON.stringify(m) + '\\n'); let call = null;"
                    + " rl.on('line', (l) => { const m = JSON.parse(l);"
                    + "   if (m.method === 'ping') { send({ jsonrpc: '2.0', id: m.id, result: {} }); return; }"
                    + "   if (m.method === 'tools/call') { call = m; const t = m.params._meta.progressToken;"
                    + "     send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: t, progress: 1,"
                    + "       total: 2, message: 'half' } });"
                    + "     send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: t, progress: 'x' } });"
                    + "     send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: t, progress: -1 } });"
                    + "     send({ jsonrpc: '2.0', id: 'roots-1', method: 'roots/list' }); return; }"
                    + "   if (m.id === 'roots-1') { const t = call.params._meta.progressToken;"
                    + "     send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: t, progress: 2, total: 2 } });"
                    + "     send({ jsonrpc: '2.0', id: call.id, result: { content: [{ type: 'text',"
                    + "       text: JSON.stringify(m.result ?? m.error) }] } }); } });";

    /** A calling agent that takes what it declared and records what reaches it, in order. */
    private record RecordingLink(java.util.Set<String> declared, List<String> events)
            implements dev.atoll.gateway.backend.ClientLink {
        @Override
        public boolean progress(double progress, java.util.OptionalDouble total, Optional<String> message) {
            events.add("progress " + progress + "/" + total.orElse(-1) + " " + message.orElse(""));
            return true;
        }

        @Override
        public boolean supports(String capability) {
            return declared.contains(capability);
        }

        @Override
        public java.util.concurrent.CompletableFuture<com.fasterxml.jackson.databind.JsonNode> request(
                String method, com.fasterxml.jackson.databind.node.ObjectNode params, Duration timeout) {
            events.add("request " + method + " " + params);
            com.fasterxml.jackson.databind.node.ObjectNode answer = JsonNodeFactory.instance.objectNode();
            answer.putArray("roots")
                    .addObject()
                    .put("uri", "file:///work/project")
                    .put("name", "project");
            return java.util.concurrent.CompletableFuture.completedFuture(answer);
        }
    }

    @Test
    void progressReachesTheAgentWhileTheCallRunsAndRootsListIsRelayedOnlyToAnAgentThatDeclaredRoots() throws Exception {
        SandboxProcess p = start(List.of(UpstreamTestSupport.node(), "-e", ROOTS_AND_PROGRESS));
        StdioMcpClient c = new StdioMcpClient("t", p, 65536, new LogRing(100, 4096), (m, params) -> {});
        try {
            List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
            StdioMcpClient.CallOutcome out = c.callTool(
                    "x",
                    JsonNodeFactory.instance.objectNode(),
                    Duration.ofSeconds(60),
                    new RecordingLink(java.util.Set.of("progress", "roots"), events));
            // In the order the server sent them: progress 1 went to the agent before the call went on (the
            // server's roots request), not collected for the end; the invalid ones were dropped.
            assertEquals(List.of("progress 1.0/2.0 half", "request roots/list {}", "progress 2.0/2.0 "), events);
            assertTrue(out.progress().isEmpty(), "relayed, not kept: " + out.progress());
            assertTrue(
                    out.result().toString().contains("file:///work/project"),
                    out.result().toString());

            // An agent that did not declare roots (or takes no progress): the server gets a clear error,
            // and the progress is kept with the call as before.
            List<String> none = new java.util.concurrent.CopyOnWriteArrayList<>();
            StdioMcpClient.CallOutcome refused = c.callTool(
                    "x",
                    JsonNodeFactory.instance.objectNode(),
                    Duration.ofSeconds(60),
                    new RecordingLink(java.util.Set.of(), none));
            assertEquals(List.of(), none);
            assertTrue(
                    refused.result().toString().contains("cannot relay roots/list"),
                    refused.result().toString());
            assertEquals(
                    4, refused.progress().size(), "kept for the end (checked by the pipeline): " + refused.progress());
        } finally {
            c.close(Duration.ZERO);
        }
    }

    @Test
    void aCallKeepsAtMostItsByteBudgetOfNotificationsFromAFloodingServer() throws Exception {
        // 2 x 64 notifications of 128 KiB = 16 MiB (Node buffers what it writes to a pipe: more would hit
        // the sandbox memory limit); the call may keep 1 MiB of them.
        SandboxProcess p = start(List.of(UpstreamTestSupport.node(), "-e", flooder(64, 128)));
        LogRing logs = new LogRing(100, 4096);
        StdioMcpClient c = new StdioMcpClient("t", p, 4 << 20, 1 << 20, logs, (m, params) -> {});
        try {
            StdioMcpClient.CallOutcome out =
                    c.callTool("flood", JsonNodeFactory.instance.objectNode(), Duration.ofSeconds(60));
            assertEquals(
                    "flooded", out.result().path("content").get(0).path("text").asText());
            long kept = 0;
            for (var n : out.logs()) {
                kept += n.toString().length();
            }
            for (var n : out.progress()) {
                kept += n.toString().length();
            }
            assertTrue(kept <= (1 << 20) + 4096, "kept " + kept + " bytes of notifications");
            assertTrue(
                    out.progress().size() + out.logs().size() < 10,
                    out.logs().size() + " logs, " + out.progress().size() + " progress");
            String last = out.logs().getLast().path("data").asText();
            assertTrue(last.contains("dropped") && last.contains("max-call-notification-bytes"), last);
            c.ping(Duration.ofSeconds(30)); // the server and the reader are fine
        } finally {
            c.close(Duration.ZERO);
        }
    }

    @Test
    void aReaderThatFailsFailsTheCallAtOnceAndStopsTheServer() throws Exception {
        // The server announces list_changed when called and never answers; the listener throws the
        // Error a flood gave the gateway at -Xmx1g (an OutOfMemoryError in the stdout reader).
        SandboxProcess p = start(List.of(
                UpstreamTestSupport.node(),
                "-e",
                "require('readline').createInterface({ input: process.stdin }).on('line', (l) => {"
                        + " if (JSON.parse(l).method === 'tools/call') process.stdout.write(JSON.stringify({"
                        + " jsonrpc: '2.0', method: 'notifications/tools/list_changed' }) + '\\n'); });"));
        LogRing logs = new LogRing(100, 4096);
        StdioMcpClient c = new StdioMcpClient("t", p, 65536, logs, (m, params) -> {
            throw new OutOfMemoryError("simulated: Java heap space");
        });
        long t0 = System.nanoTime();
        UpstreamException e = assertThrows(
                UpstreamException.class,
                () -> c.callTool("x", JsonNodeFactory.instance.objectNode(), Duration.ofSeconds(40)));
        assertEquals(UpstreamException.Kind.DOWN, e.kind(), e.getMessage());
        assertTrue(
                e.getMessage().contains("reader of its stdout failed")
                        && e.getMessage().contains("heap space"),
                e.getMessage());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(30).toNanos(), "failed at once, not at the timeout");
        assertTrue(p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS) != null);
        assertTrue(
                logs.tail(10).toString().contains("stopping the server"),
                logs.tail(10).toString());
    }
}

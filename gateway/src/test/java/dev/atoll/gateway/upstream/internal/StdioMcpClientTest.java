package dev.atoll.gateway.upstream.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.atoll.gateway.upstream.SandboxKind;
import dev.atoll.gateway.upstream.UpstreamLimits;
import dev.atoll.gateway.upstream.UpstreamSpec;
import dev.atoll.gateway.upstream.UpstreamTestSupport;
import dev.atoll.gateway.upstream.spi.LaunchRequest;
import dev.atoll.gateway.upstream.spi.SandboxProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The stdio client against real misbehaving processes in bubblewrap. */
class StdioMcpClientTest {

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
        Path dir = Files.createTempDirectory("atoll-client");
        launcher = BubblewrapLauncher.create(dir.resolve("run"));
        UpstreamSpec spec = new UpstreamSpec("t", SandboxKind.BUBBLEWRAP, Optional.empty(),
                List.of("/bin/sh", "-c", script), Map.of(), List.of(), List.of(), UpstreamLimits.DEFAULT);
        // A fresh instance id per start: a sandbox's cgroup is named after it and removed when it exits.
        return launcher.launch(new LaunchRequest(spec, "t-" + System.nanoTime(), "client-test", dir.resolve("state"),
                Optional.empty()));
    }

    @Test
    void aLineLongerThanTheLimitStopsTheServerInsteadOfFillingTheHeap() throws Exception {
        // 8 MiB without a newline, then a valid answer that must never be read.
        SandboxProcess p = start("read req; head -c 8388608 /dev/zero | tr '\\0' a; "
                + "echo '{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}'; sleep 30");
        LogRing logs = new LogRing(100, 4096);
        StdioMcpClient c = new StdioMcpClient("t", p, 64 * 1024, logs, (m, params) -> { });
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
        StdioMcpClient c = new StdioMcpClient("t", silent, 65536, new LogRing(10, 100), (m, params) -> { });
        UpstreamException timeout = assertThrows(UpstreamException.class, () -> c.ping(Duration.ofMillis(300)));
        assertEquals(UpstreamException.Kind.TIMEOUT, timeout.kind());
        c.close(Duration.ZERO);
        launcher.close();

        SandboxProcess dying = start("read req; echo 'bye' >&2; exit 7");
        LogRing logs = new LogRing(10, 100);
        StdioMcpClient d = new StdioMcpClient("t", dying, 65536, logs, (m, params) -> { });
        long t0 = System.nanoTime();
        UpstreamException down = assertThrows(UpstreamException.class, () -> d.callTool("x",
                JsonNodeFactory.instance.objectNode(), Duration.ofSeconds(60)));
        assertEquals(UpstreamException.Kind.DOWN, down.kind());
        assertTrue(down.getMessage().contains("exited with code 7"), down.getMessage());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(30).toNanos(), "failed at the exit, not at the timeout");
        UpstreamTestSupport.await("stderr in the ring", Duration.ofSeconds(5), () -> logs.tail(5).toString().contains("bye"));
    }
}

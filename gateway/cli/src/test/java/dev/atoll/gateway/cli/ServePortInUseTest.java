package dev.atoll.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue #17 item 1: {@code atoll serve} on a port in use says so in one line, exits non-zero, creates nothing. */
class ServePortInUseTest {

    @TempDir
    Path dir;

    @Test
    void mcpPortInUse() throws Exception {
        check("--port", "MCP listener");
    }

    @Test
    void adminPortInUse() throws Exception {
        check("--admin-port", "admin API");
    }

    private void check(String flag, String listener) throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            Path data = dir.resolve("data");
            String other = flag.equals("--port") ? "--admin-port" : "--port";
            CliFixture.Run r = assertTimeoutPreemptively(
                    Duration.ofSeconds(120),
                    () -> MainTestSupport.atoll(
                            "serve",
                            flag,
                            String.valueOf(port),
                            other,
                            "0",
                            "--host",
                            "127.0.0.1",
                            "--data",
                            data.toString()),
                    "serve must not hang");
            assertEquals(2, r.code(), r.out() + r.err());
            assertEquals("", r.out(), "nothing announced, no tokens printed");
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
            assertTrue(
                    r.err().contains("port " + port)
                            && r.err().contains(listener)
                            && r.err().contains(flag + " N"),
                    r.err());
            assertFalse(Files.exists(data), "no data dir, no database, no tokens minted");
        }
    }
}

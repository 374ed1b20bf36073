package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #20: configuration errors that the start used to find late (after the runtime, the isolate pool,
 * the fetch binding's HTTP client and the bubblewrap launcher were started) leak nothing: every thread
 * the start created ends and the configured ports can be bound again. The whole configuration is now
 * checked before anything starts, and whatever a start did start is on one closer stack.
 */
class StartupLeakTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    /** Threads Atoll names: runtime, pool, fetch, audit, upstream and egress threads. */
    private static Set<Thread> atollThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("atoll-") || t.getName().startsWith("egress-"))
                .collect(Collectors.toSet());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts a gateway that must fail with {@code expected}, then checks that nothing it started is left. */
    private static void failsAndLeaksNothing(
            Class<? extends Throwable> expected, String message, Map<String, String> overrides) throws IOException {
        Path data = Files.createTempDirectory(scratch, "atoll-leak");
        int admin = freePort();
        Map<String, String> all = new HashMap<>(Map.of(
                "mcp.port",
                "0",
                "admin.port",
                String.valueOf(admin),
                "data-dir",
                data.toString(),
                "examples.deploy",
                "false"));
        all.putAll(overrides);
        Set<Thread> before = atollThreads();
        Throwable e = assertThrows(
                expected,
                () -> Gateway.builder()
                        .config(GatewayConfig.defaults().with(all))
                        .start());
        assertTrue(String.valueOf(e.getMessage()).contains(message), () -> "unexpected failure: " + e);
        Awaitility.await("threads of the failed start to end")
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> {
                    Set<Thread> left = atollThreads();
                    left.removeAll(before);
                    assertTrue(
                            left.isEmpty(),
                            () -> "threads left after a failed start: "
                                    + left.stream()
                                            .map(Thread::getName)
                                            .sorted()
                                            .toList());
                });
        try (ServerSocket again = new ServerSocket()) { // the admin port is free again (never bound, or closed)
            again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), admin));
        }
    }

    @Test
    void anAnonymousListenerOffLoopbackLeaksNothing() throws IOException {
        failsAndLeaksNothing(
                GatewayException.class, "loopback", Map.of("mcp.host", "0.0.0.0", "mcp.require-auth", "false"));
    }

    @Test
    void anIncompleteOAuthConfigurationLeaksNothing() throws IOException {
        failsAndLeaksNothing(
                GatewayException.class, "oauth.enabled needs oauth.issuer", Map.of("oauth.enabled", "true"));
    }
}

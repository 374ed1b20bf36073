package dev.atoll.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.gateway.registry.testing.TestStore;
import dev.atoll.gateway.testing.StatelessCall;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #21: a node started while its PostgreSQL database is unreachable says so and retries
 * ({@code registry.start-timeout-ms}); it serves nothing meanwhile (no listener, so no empty
 * catalogue passed off as the real one), and starts with the real catalogue once the database
 * answers. The database is reached through a {@link LoopbackProxy} the test takes down and up.
 */
class RegistryStartRetryTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    private static final String TOKEN = "atoll_mcp_start_retry_test_token_0";

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aNodeStartedWhileTheDatabaseIsDownWaitsForItAndThenServes() throws Exception {
        TestStore.assumePostgres();
        URI pg = URI.create(TestStore.postgres().orElseThrow().substring("jdbc:".length()));
        String query = URI.create(TestStore.freshPostgresUrl().substring("jdbc:".length()))
                .getRawQuery();
        List<String> said = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                said.add(String.valueOf(r.getMessage()));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        // The package's logger: the start's messages come from a class inside it (internal.wiring).
        Logger gatewayLog = Logger.getLogger(Gateway.class.getPackageName());
        gatewayLog.addHandler(capture);
        // The start runs on a thread of its own, stopped below whatever happens: a start left retrying
        // on the common pool (one thread on two cores) starves every later test that uses that pool.
        ExecutorService starter = Executors.newSingleThreadExecutor(r -> new Thread(r, "start-retry-test"));
        try (LoopbackProxy proxy = LoopbackProxy.start(pg.getHost(), pg.getPort() < 0 ? 5432 : pg.getPort())) {
            proxy.down();
            String viaProxy = "jdbc:postgresql://127.0.0.1:" + proxy.port() + pg.getRawPath() + "?" + query;
            Path data = Files.createTempDirectory(scratch, "atoll-start-retry");
            CompletableFuture<Gateway> starting = CompletableFuture.supplyAsync(
                    () -> Gateway.builder()
                            .config(GatewayConfig.defaults()
                                    .with(Map.of(
                                            "mcp.port",
                                            "0",
                                            "admin.port",
                                            "0",
                                            "data-dir",
                                            data.toString(),
                                            "registry.jdbc-url",
                                            "\"" + viaProxy + "\"",
                                            "registry.connection-timeout-ms",
                                            "500")))
                            .mcpToken(TOKEN, "acme", Set.of("*"))
                            .start(),
                    starter);
            await("the node to say the database is unreachable, twice")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> said.stream()
                                    .filter(m -> m.contains("unreachable") && m.contains("retrying"))
                                    .count()
                            >= 2);
            assertFalse(starting.isDone(), "no node serves before its database answers");
            proxy.up();
            try (Gateway g = starting.get(120, TimeUnit.SECONDS);
                    HttpClient http = HttpClient.newHttpClient()) {
                assertTrue(g.toolNames().contains("slugify"), "the real catalogue: " + g.toolNames());
                assertEquals(
                        "retry-ok",
                        StatelessCall.result(http, g.mcpUrl(), TOKEN, "slugify", "{\"text\":\"Retry OK\"}")
                                .path("structuredContent")
                                .path("slug")
                                .asText());
            }
        } finally {
            starter.shutdownNow(); // interrupts a start still retrying (its back-off sleep ends it)
            gatewayLog.removeHandler(capture);
        }
    }
}

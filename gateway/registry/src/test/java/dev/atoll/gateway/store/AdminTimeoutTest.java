package dev.atoll.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.gateway.registry.RegistryConfig;
import dev.atoll.gateway.registry.RegistryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An admin mutation waits at most {@code adminTimeout} for a pooled connection (docs/fleet.md,
 * "Database outage"), on the embedded H2 database: with every connection of the pool held by other
 * work, it fails with {@code STORAGE} after the admin timeout, not after the connection timeout; a
 * busy pool is not an outage, so the circuit stays closed and the next change succeeds once a
 * connection is free.
 */
class AdminTimeoutTest {

    @TempDir
    Path dir;

    @Test
    void anAdminChangeGivesUpAfterTheAdminTimeoutAndABusyPoolDoesNotOpenTheCircuit() throws Exception {
        RegistryConfig config = RegistryConfig.builder()
                .dataDir(dir)
                .maxConnections(2)
                .connectionTimeout(Duration.ofSeconds(60))
                .adminTimeout(Duration.ofMillis(300))
                .build();
        try (Database db = Database.open(config)) {
            CountDownLatch holding = new CountDownLatch(2);
            CountDownLatch release = new CountDownLatch(1);
            List<CompletableFuture<Integer>> holders = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                CompletableFuture<Integer> held = new CompletableFuture<>();
                holders.add(held);
                Thread.ofPlatform().daemon().name("connection-holder-" + i).start(() -> {
                    try {
                        held.complete(db.inTransaction("holding a connection", c -> {
                            holding.countDown();
                            try {
                                release.await(60, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                throw new java.sql.SQLException("interrupted", e);
                            }
                            return 1;
                        }));
                    } catch (RuntimeException | Error e) {
                        held.completeExceptionally(e);
                    }
                });
            }
            try {
                assertTrue(holding.await(60, TimeUnit.SECONDS), "both connections are held");
                long t0 = System.nanoTime();
                RegistryException e = assertThrows(
                        RegistryException.class, () -> db.inAdminTransaction("changing something", c -> 1));
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertEquals(RegistryException.Reason.STORAGE, e.reason());
                assertTrue(e.getMessage().contains("no database connection"), e.getMessage());
                // 300 ms asked; generous for a loaded machine, far below the 60 s connection timeout.
                assertTrue(ms >= 250 && ms < 20_000, "gave up after " + ms + " ms");
                assertEquals(Optional.empty(), db.unreachable(), "a busy pool does not open the circuit");
            } finally {
                release.countDown();
            }
            for (CompletableFuture<Integer> h : holders) {
                assertEquals(1, h.get(60, TimeUnit.SECONDS));
            }
            int after = db.inAdminTransaction("changing something once a connection is free", c -> 2);
            assertEquals(2, after);
        }
    }
}

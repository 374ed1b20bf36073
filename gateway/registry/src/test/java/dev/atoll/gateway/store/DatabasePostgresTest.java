package dev.atoll.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.atoll.gateway.registry.RegistryConfig;
import dev.atoll.gateway.registry.RegistryException;
import dev.atoll.gateway.registry.testing.TestStore;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry's PostgreSQL sessions commit durably whatever the database's default: a
 * {@code synchronous_commit = off} default (here set for the session by the URL's {@code options},
 * as {@code ALTER DATABASE/ROLE ... SET} would) is turned on for every pooled connection, and a
 * rolled-back transaction does not undo that (docs/registry.md, "Durability").
 */
class DatabasePostgresTest {

    @TempDir
    Path dir;

    @BeforeEach // per test, so each is reported skipped with the reason
    void requirePostgres() {
        TestStore.assumePostgres();
    }

    private static String synchronousCommit(java.sql.Connection c) throws SQLException {
        try (var st = c.createStatement();
                var rs = st.executeQuery("SHOW synchronous_commit")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void synchronousCommitOffByDefaultIsTurnedOnForEverySession() throws Exception {
        String url = TestStore.freshPostgresUrl() + "&options=-c%20synchronous_commit%3Doff";
        try (var direct = java.sql.DriverManager.getConnection(url)) {
            assertEquals("off", synchronousCommit(direct), "the URL's default really is off");
        }
        RegistryConfig config = RegistryConfig.builder()
                .dataDir(dir)
                .jdbcUrl(url)
                .maxConnections(4)
                .build();
        try (Database db = Database.open(config)) {
            // A failed (rolled-back) transaction first: the setting must outlive it.
            assertThrows(
                    RegistryException.class,
                    () -> db.inTransaction("failing on purpose", c -> {
                        throw new SQLException("on purpose", "XX000");
                    }));
            // Hold four connections at once, so every pooled connection is looked at.
            CountDownLatch all = new CountDownLatch(4);
            List<CompletableFuture<String>> seen = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                seen.add(CompletableFuture.supplyAsync(
                        () -> db.read("reading synchronous_commit", c -> {
                            all.countDown();
                            try {
                                if (!all.await(30, TimeUnit.SECONDS)) {
                                    throw new SQLException("the four connections were not held at once", "XX000");
                                }
                            } catch (InterruptedException e) {
                                throw new SQLException("interrupted", "XX000", e);
                            }
                            return synchronousCommit(c);
                        }),
                        r -> Thread.ofPlatform().daemon().start(r)));
            }
            for (CompletableFuture<String> s : seen) {
                assertEquals("on", s.get(60, TimeUnit.SECONDS));
            }
        }
    }
}

package dev.atoll.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.gateway.registry.RegistryConfig;
import dev.atoll.gateway.registry.RegistryException;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A connection that breaks in the middle of a transaction (SQLState class 08, what the PostgreSQL
 * driver throws when the server goes away under an open connection) is an outage: the error says the
 * registry database is unreachable, not only the driver's "An I/O error occurred while sending to the
 * backend", and the circuit opens, so the next change fails at once with the same words.
 * DatabaseOutageTest shows it with a real PostgreSQL behind a proxy it cuts; this shows the
 * classification on its own, on the embedded database.
 */
class LostConnectionTest {

    @TempDir
    Path dir;

    @Test
    void aConnectionLostMidTransactionSaysTheDatabaseIsUnreachableAndOpensTheCircuit() {
        try (Database db = Database.open(RegistryConfig.builder().dataDir(dir).build())) {
            RegistryException e = assertThrows(
                    RegistryException.class,
                    () -> db.inAdminTransaction("disabling slugify", c -> {
                        throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
                    }));
            assertEquals(RegistryException.Reason.STORAGE, e.reason());
            assertTrue(
                    e.getMessage().startsWith("disabling slugify failed: the registry database is unreachable ("),
                    e.getMessage());
            assertTrue(
                    e.getMessage().contains("An I/O error occurred"), "the driver's reason is kept: " + e.getMessage());
            assertTrue(db.unreachable().isPresent(), "the circuit is open");
            RegistryException next =
                    assertThrows(RegistryException.class, () -> db.inAdminTransaction("enabling slugify", c -> 1));
            assertTrue(next.getMessage().contains("the registry database is unreachable"), next.getMessage());

            RegistryException other = assertThrows(RegistryException.class, () -> {
                try (Database fresh = Database.open(
                        RegistryConfig.builder().dataDir(dir.resolve("other")).build())) {
                    fresh.inAdminTransaction("renaming", c -> {
                        throw new SQLException("value too long", "22001");
                    });
                }
            });
            assertTrue(
                    !other.getMessage().contains("unreachable"),
                    "a data error is not an outage: " + other.getMessage());
        }
    }
}

package dev.atoll.gateway.registry;

import dev.atoll.gateway.registry.testing.TestStore;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;

/**
 * {@link TokenTest} against PostgreSQL: every test of it, each on a fresh schema of the database named
 * by {@code ATOLL_TEST_PG_URL} ({@code scripts/test.sh} sets it); skipped when that is unset.
 */
class TokenPostgresTest extends TokenTest {

    @BeforeEach // per test, so each is reported skipped with the reason
    void requirePostgres() {
        TestStore.assumePostgres();
    }

    @Override
    RegistryConfig.Builder store(Path dir) {
        return TestStore.freshPostgres(dir);
    }
}

package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.gateway.registry.RegistryConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's {@code registry.*} keys: the database the registry opens, checked at load. */
class RegistryStoreConfigTest {

    @TempDir
    Path dir;

    @Test
    void theDefaultIsTheEmbeddedDatabaseUnderTheDataDir() {
        RegistryConfig rc = GatewayConfig.defaults().registry().toRegistryConfig(dir);
        assertEquals(RegistryConfig.defaultJdbcUrl(dir), rc.jdbcUrl());
        assertEquals(Optional.empty(), rc.user());
        assertEquals(Optional.empty(), rc.password());
        assertEquals(Duration.ofSeconds(10), rc.connectionTimeout());
        assertEquals(Duration.ofSeconds(2), rc.adminTimeout());
    }

    @Test
    void aPostgresUrlUserPasswordFileAndTimeoutAreBound() throws Exception {
        Path secret = dir.resolve("pg-password");
        Files.writeString(secret, "s3cret-from-file\n");
        GatewayConfig c = GatewayConfig.defaults()
                .with(Map.of(
                        "registry.jdbc-url",
                        "\"jdbc:postgresql://127.0.0.1:5432/atoll?sslmode=disable\"",
                        "registry.user",
                        "atoll",
                        "registry.password",
                        "\"file:" + secret + "\"",
                        "registry.connection-timeout-ms",
                        "2500",
                        "registry.admin-timeout-ms",
                        "700"));
        RegistryConfig rc = c.registry().toRegistryConfig(dir);
        assertEquals("jdbc:postgresql://127.0.0.1:5432/atoll?sslmode=disable", rc.jdbcUrl());
        assertEquals(Optional.of("atoll"), rc.user());
        assertEquals(Optional.of("s3cret-from-file"), rc.password());
        assertEquals(Duration.ofMillis(2500), rc.connectionTimeout());
        assertEquals(Duration.ofMillis(700), rc.adminTimeout());
        assertFalse(c.registry().toString().contains("s3cret"), c.registry().toString());
        assertFalse(rc.toString().contains("s3cret"), rc.toString());
    }

    @Test
    void badValuesFailAtLoadNamingTheKey() {
        GatewayException url = assertThrows(
                GatewayException.class,
                () -> GatewayConfig.defaults()
                        .with(Map.of("registry.jdbc-url", "\"jdbc:mysql://db/atoll?password=hunter2\"")));
        assertTrue(url.getMessage().contains("registry.jdbc-url"), url.getMessage());
        assertFalse(url.getMessage().contains("hunter2"), url.getMessage());
        GatewayException timeout = assertThrows(
                GatewayException.class,
                () -> GatewayConfig.defaults().with(Map.of("registry.connection-timeout-ms", "10")));
        assertTrue(timeout.getMessage().contains("registry.connection-timeout-ms"), timeout.getMessage());
        GatewayException admin = assertThrows(
                GatewayException.class, () -> GatewayConfig.defaults().with(Map.of("registry.admin-timeout-ms", "0")));
        assertTrue(admin.getMessage().contains("registry.admin-timeout-ms"), admin.getMessage());
        GatewayException env = assertThrows(
                GatewayException.class,
                () -> GatewayConfig.defaults()
                        .with(Map.of("registry.password", "\"env:ATOLL_NO_SUCH_VARIABLE_FOR_THIS_TEST\""))
                        .registry()
                        .toRegistryConfig(dir));
        assertTrue(
                env.getMessage().contains("registry.password")
                        && env.getMessage().contains("ATOLL_NO_SUCH_VARIABLE_FOR_THIS_TEST"),
                env.getMessage());
    }
}

package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.gateway.registry.RegistryConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gateway's {@code fleet.*} keys (docs/fleet.md): defaults, binding onto the registry, range checks. */
class FleetConfigTest {

    @Test
    void defaultsAndTheirBindingOntoTheRegistry() {
        GatewayConfig c = GatewayConfig.defaults().with(Map.of("node.id", "eu-1"));
        GatewayConfig.Fleet f = c.fleet();
        assertEquals(new GatewayConfig.Fleet(5000, 15_000, true, 1000, 5000), f);
        RegistryConfig rc = c.registry().toRegistryConfig(Path.of("data"), f, c.node());
        assertTrue(rc.notifications());
        assertEquals(Duration.ofSeconds(1), rc.catalogueRefresh());
        assertEquals(Duration.ofSeconds(5), rc.tokenCacheTtl());
        assertEquals("atoll/eu-1", rc.applicationName());
        assertEquals("eu-1", rc.node(), "audit records name the node");
        RegistryConfig off = c.with(Map.of(
                        "fleet.notifications",
                        "false",
                        "fleet.catalogue-refresh-ms",
                        "250",
                        "fleet.token-cache-ttl-ms",
                        "0"))
                .registry()
                .toRegistryConfig(
                        Path.of("data"),
                        c.with(Map.of(
                                        "fleet.notifications",
                                        "false",
                                        "fleet.catalogue-refresh-ms",
                                        "250",
                                        "fleet.token-cache-ttl-ms",
                                        "0"))
                                .fleet(),
                        new GatewayConfig.Node("x".repeat(64), "default"));
        assertEquals(false, off.notifications());
        assertEquals(Duration.ofMillis(250), off.catalogueRefresh());
        assertEquals(Duration.ZERO, off.tokenCacheTtl());
        assertEquals("atoll/" + "x".repeat(42), off.applicationName(), "cut to fit PostgreSQL's application_name");
    }

    @Test
    void theAdvertisedAdminUrlIsAnHttpOrigin() {
        assertEquals("", GatewayConfig.defaults().node().adminUrl(), "derived from the admin listener by default");
        assertEquals(
                "https://gw-7.internal:9443",
                GatewayConfig.defaults()
                        .with(Map.of("node.admin-url", "\"https://gw-7.internal:9443\""))
                        .node()
                        .adminUrl());
        for (String bad : List.of(
                "ftp://gw-7", "https://user@gw-7", "https://gw-7/admin", "https://gw-7?x=1", "gw-7:9443", "http://")) {
            GatewayException e = assertThrows(
                    GatewayException.class,
                    () -> GatewayConfig.defaults().with(Map.of("node.admin-url", "\"" + bad + "\"")),
                    bad);
            assertTrue(e.getMessage().contains("node.admin-url"), e.getMessage());
        }
    }

    @Test
    void badValuesFailAtLoadNamingTheKey() {
        Map<String, String> bad = Map.of(
                "fleet.heartbeat-ms",
                "999",
                "fleet.stale-after-ms",
                "9999",
                "fleet.catalogue-refresh-ms",
                "-1",
                "fleet.token-cache-ttl-ms",
                "600001");
        bad.forEach((key, value) -> {
            GatewayException e = assertThrows(
                    GatewayException.class, () -> GatewayConfig.defaults().with(Map.of(key, value)), key);
            assertTrue(e.getMessage().contains(key), e.getMessage());
        });
    }
}

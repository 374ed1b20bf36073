package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gateway's {@code node.*} keys: a node's name and region in a fleet, checked at load. */
class NodeConfigTest {

    @Test
    void theDefaultIsTheHostNameInRegionDefault() {
        GatewayConfig.Node node = GatewayConfig.defaults().node();
        assertEquals("", node.id());
        assertEquals("default", node.region());
        assertTrue(node.effectiveId().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}"), node.effectiveId());
    }

    @Test
    void aNameAndRegionAreBound() {
        GatewayConfig.Node node = GatewayConfig.defaults()
                .with(Map.of("node.id", "eu-1", "node.region", "eu"))
                .node();
        assertEquals("eu-1", node.effectiveId());
        assertEquals("eu", node.region());
    }

    @Test
    void badNamesFailAtLoadNamingTheKey() {
        for (String bad : new String[] {"-lead", "a b", "x".repeat(65), "eu/1"}) {
            GatewayException e = assertThrows(
                    GatewayException.class,
                    () -> GatewayConfig.defaults().with(Map.of("node.id", "\"" + bad + "\"")),
                    bad);
            assertTrue(e.getMessage().contains("node.id"), e.getMessage());
        }
        for (String bad : new String[] {"EU", "1eu", "", "x".repeat(33)}) {
            GatewayException e = assertThrows(
                    GatewayException.class,
                    () -> GatewayConfig.defaults().with(Map.of("node.region", "\"" + bad + "\"")),
                    bad);
            assertTrue(e.getMessage().contains("node.region"), e.getMessage());
        }
    }
}

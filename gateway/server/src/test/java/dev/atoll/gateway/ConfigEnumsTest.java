package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.atoll.gateway.registry.SandboxKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Closed sets in the configuration are enums bound by Jackson: read by their lower-case names, refused by key. */
class ConfigEnumsTest {

    @Test
    void launchersAndLogFormatAreEnums() {
        GatewayConfig config =
                GatewayConfig.defaults().with(Map.of("upstreams.launchers", "[docker]", "log.format", "JSON"));
        assertEquals(List.of(SandboxKind.DOCKER), config.upstreams().launchers());
        assertEquals(LogFormat.JSON, config.log().format());
        assertEquals(
                List.of(SandboxKind.BUBBLEWRAP, SandboxKind.DOCKER),
                GatewayConfig.defaults().upstreams().launchers());
        // A configuration survives another round of overrides (it is written back with the same names).
        assertEquals(
                List.of(SandboxKind.DOCKER),
                config.with(Map.of("mcp.port", "0")).upstreams().launchers());
    }

    @Test
    void anUnknownValueNamesItsKeyAndTheChoices() {
        GatewayException e = assertThrows(
                GatewayException.class,
                () -> GatewayConfig.defaults().with(Map.of("upstreams.launchers", "[bubblewrap, podman]")));
        assertEquals("upstreams.launchers[1]: 'podman' is not one of [docker, bubblewrap]", e.getMessage());
        e = assertThrows(GatewayException.class, () -> GatewayConfig.defaults().with(Map.of("log.format", "xml")));
        assertEquals("log.format: 'xml' is not one of [text, json]", e.getMessage());
    }
}

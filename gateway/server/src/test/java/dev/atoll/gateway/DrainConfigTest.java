package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue #21: {@code http.drain-delay-ms} and {@code runtime.jit-warm-up-ms} defaults and checks, and
 * {@code -Datoll.default.KEY} replacing a bundled default (how the test suite turns the warm-up off).
 */
class DrainConfigTest {

    @Test
    void drainDelayDefaultsToFiveSecondsAndIsRangeChecked() {
        assertEquals(5000, GatewayConfig.defaults().http().drainDelayMs());
        assertEquals(
                0,
                GatewayConfig.defaults()
                        .with(Map.of("http.drain-delay-ms", "0"))
                        .http()
                        .drainDelayMs());
        GatewayException e = assertThrows(
                GatewayException.class, () -> GatewayConfig.defaults().with(Map.of("http.drain-delay-ms", "-1")));
        assertTrue(e.getMessage().contains("http.drain-delay-ms"), e.getMessage());
    }

    @Test
    void aSystemPropertyReplacesABundledDefault() {
        // The suite's JVMs run with -Datoll.default.runtime.jit-warm-up-ms=0 (root POM); the bundled default is 30 s.
        assertEquals("0", System.getProperty("atoll.default.runtime.jit-warm-up-ms"));
        assertEquals(0, GatewayConfig.defaults().runtime().jitWarmUpMs());
        String key = "atoll.default.http.drain-delay-ms";
        try {
            System.setProperty(key, "1234");
            assertEquals(1234, GatewayConfig.defaults().http().drainDelayMs());
            assertEquals(
                    7,
                    GatewayConfig.defaults()
                            .with(Map.of("http.drain-delay-ms", "7"))
                            .http()
                            .drainDelayMs(),
                    "an explicit value still wins");
            System.setProperty(key, "-5");
            assertThrows(GatewayException.class, GatewayConfig::defaults, "checked like any value");
            System.clearProperty(key);
            System.setProperty("atoll.default.http.no-such-key", "1");
            GatewayException e = assertThrows(GatewayException.class, GatewayConfig::defaults);
            assertTrue(e.getMessage().contains("http.no-such-key"), e.getMessage());
        } finally {
            System.clearProperty(key);
            System.clearProperty("atoll.default.http.no-such-key");
        }
        try {
            System.clearProperty("atoll.default.runtime.jit-warm-up-ms");
            assertEquals(30_000, GatewayConfig.defaults().runtime().jitWarmUpMs(), "the production default");
        } finally {
            System.setProperty("atoll.default.runtime.jit-warm-up-ms", "0");
        }
    }
}

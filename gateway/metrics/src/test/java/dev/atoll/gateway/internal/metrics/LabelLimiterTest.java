package dev.atoll.gateway.internal.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** A label's values past its cap share the label {@code other} (the gateway-wide check is LabelCapTest). */
class LabelLimiterTest {

    @Test
    void limiterKeepsTheFirstValuesAndRefusesABadCap() {
        LabelLimiter l = new LabelLimiter("tool", 2);
        assertEquals("a", l.of("a"));
        assertEquals("b", l.of("b"));
        assertEquals("other", l.of("c"));
        assertEquals("a", l.of("a"), "an admitted value keeps its label");
        assertEquals(2, l.size());
        assertThrows(IllegalArgumentException.class, () -> new LabelLimiter("tool", 0));
    }
}

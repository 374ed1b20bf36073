package dev.atoll.gateway.internal.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A counter whose count another part keeps still reads after a garbage collection: Micrometer's
 * FunctionCounter holds its source only weakly, and a lambda nobody else held was collected, after
 * which {@code /metrics} showed the counter as 0 for good (seen with atoll_audit_commits_total).
 */
class FunctionCounterTest {

    @Test
    void aCounterOfAnotherPartsCountSurvivesGarbageCollection() {
        GatewayMetrics metrics = new GatewayMetrics(false);
        AtomicLong count = new AtomicLong(41);
        metrics.counter(
                "atoll.test.kept", "a count kept elsewhere", () -> count.get()); // a lambda only the meter holds
        count.incrementAndGet();
        for (int i = 0; i < 5; i++) {
            System.gc();
        }
        String text = metrics.scrape();
        assertTrue(
                text.contains("atoll_test_kept_total 42.0"),
                text.lines().filter(l -> l.contains("atoll_test_kept")).toList().toString());
    }
}

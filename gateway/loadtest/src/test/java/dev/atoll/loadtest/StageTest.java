package dev.atoll.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StageTest {

    @Test
    void parsesDurationsAndRates() {
        assertEquals(new Stage(Duration.ofSeconds(10), 100), Stage.parse("10s:100/s"));
        assertEquals(new Stage(Duration.ofMinutes(2), 1), Stage.parse("2m:60/m"));
        assertEquals(Duration.ofMillis(500), Stage.parseDuration("500ms"));
        assertEquals(Duration.ofHours(1), Stage.parseDuration("1h"));
        assertEquals(Duration.ofSeconds(3), Stage.parseDuration("PT3S"));
        assertEquals(2000, Stage.parseRate("2000"));
    }

    @Test
    void badValuesAreNamed() {
        assertTrue(assertThrows(LoadTestException.class, () -> Stage.parse("10s"))
                .getMessage()
                .contains("'10s'"));
        assertTrue(assertThrows(LoadTestException.class, () -> Stage.parseRate("fast"))
                .getMessage()
                .contains("fast"));
        assertTrue(assertThrows(LoadTestException.class, () -> Stage.parseDuration("10x"))
                .getMessage()
                .contains("10x"));
        assertThrows(LoadTestException.class, () -> Stage.parse("25h:1/s"));
        assertThrows(LoadTestException.class, () -> Stage.parseRate("-1/s"));
        assertThrows(LoadTestException.class, () -> LoadTest.builder().build());
        assertThrows(LoadTestException.class, () -> LoadTest.builder().arguments(java.util.List.of("[1]")));
        assertThrows(LoadTestException.class, () -> LoadTest.builder().closed(0, Duration.ofSeconds(1)));
    }

    @Test
    void thresholdsNameWhatWasExceeded() {
        LoadTestReport r = new LoadTestReport(
                "t",
                "stateless",
                "closed 1",
                java.time.Instant.EPOCH,
                1,
                10,
                java.util.Map.of("ok", 8L, "tool_error", 2L),
                new LoadTestReport.Latency(1, 2, 30, 40, 50, 5),
                LoadTestReport.Latency.EMPTY,
                java.util.List.of(),
                java.util.List.of(),
                java.util.List.of(),
                java.util.OptionalDouble.empty(),
                "");
        Thresholds t = new Thresholds(
                java.util.Optional.of(Duration.ofMillis(25)), java.util.OptionalDouble.of(Thresholds.parseRate("10%")));
        var v = t.violations(r);
        assertEquals(2, v.size(), v.toString());
        assertTrue(v.get(0).contains("p99") && v.get(1).contains("error rate"), v.toString());
        assertTrue(new Thresholds(java.util.Optional.of(Duration.ofMillis(30)), java.util.OptionalDouble.of(0.2))
                .violations(r)
                .isEmpty());
        assertEquals(r, LoadTestReport.fromJson(r.toJson()));
    }
}

package dev.atoll.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ReportMathTest {

    private static LoadTestReport withRates(double... rates) {
        List<LoadTestReport.Second> timeline = new ArrayList<>();
        for (int i = 0; i < rates.length; i++) {
            timeline.add(new LoadTestReport.Second(i + 1, rates[i], (long) rates[i], 0, 1, 1, 1, 1));
        }
        return new LoadTestReport(
                "t",
                "stateless",
                "closed 16",
                Instant.EPOCH,
                rates.length,
                0,
                Map.of(),
                LoadTestReport.Latency.EMPTY,
                LoadTestReport.Latency.EMPTY,
                timeline,
                List.of(),
                List.of(),
                OptionalDouble.empty(),
                "");
    }

    @Test
    void atSpeedIsWhenTheThroughputFirstHoldsNinetyPercentOfItsSteadyRate() {
        // a node warming up: 100, 200, ... until 1000/s from the 9th second; the last second is partial
        LoadTestReport r = withRates(
                100, 200, 300, 500, 700, 850, 950, 980, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000,
                400);
        // steady rate 1000/s; the first 3-second window averaging >= 900/s is the 6th to 8th seconds
        // (850, 950, 980: 927/s), which starts 5 s after the start
        assertEquals(5.0, r.atSpeedAfterSeconds().getAsDouble());
        assertTrue(r.summary().contains("at speed after s"), r.summary());
        assertTrue(withRates(1, 2, 3).atSpeedAfterSeconds().isEmpty());
        assertEquals(r, LoadTestReport.fromJson(r.toJson()));
    }
}

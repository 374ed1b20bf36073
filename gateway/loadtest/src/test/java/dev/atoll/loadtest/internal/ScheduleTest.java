package dev.atoll.loadtest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.loadtest.Stage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    @Test
    void constantRateSpacesCallsEvenly() {
        Schedule s = new Schedule(Stage.parseList("0s:100/s,3s:100/s"));
        assertEquals(300, s.totalCalls());
        assertEquals(3_000_000_000L, s.totalNanos());
        assertEquals(0, s.dueNanos(0).getAsLong());
        assertEquals(10_000_000, s.dueNanos(1).getAsLong(), 1000);
        assertEquals(2_990_000_000L, s.dueNanos(299).getAsLong(), 1000);
        assertTrue(s.dueNanos(300).isEmpty());
    }

    @Test
    void linearRampFromZeroFollowsTheIntegral() {
        // 0 -> 100/s over 10 s: 500 calls; call k is due at t = sqrt(2 k T / r) = sqrt(k / 5)
        Schedule s = new Schedule(List.of(new Stage(Duration.ofSeconds(10), 100)));
        assertEquals(500, s.totalCalls());
        for (int k : new int[] {1, 20, 125, 499}) {
            assertEquals(Math.sqrt(k / 5.0) * 1e9, s.dueNanos(k).getAsLong(), 1e4, "call " + k);
        }
    }

    @Test
    void stagesFollowEachOtherAndRampDown() {
        // 2 s at 50/s (100 calls), then 50 -> 0 over 2 s (50 calls)
        Schedule s = new Schedule(Stage.parseList("0s:50/s,2s:50/s,2s:0/s"));
        assertEquals(150, s.totalCalls());
        assertEquals(2_000_000_000L, s.dueNanos(100).getAsLong(), 1000);
        long previous = -1;
        for (int k = 0; k < 150; k++) {
            long due = s.dueNanos(k).getAsLong();
            assertTrue(due > previous && due <= 4_000_000_000L, "call " + k + " at " + due);
            previous = due;
        }
        // ramping down, the gaps grow
        assertTrue(s.dueNanos(149).getAsLong() - s.dueNanos(148).getAsLong()
                > s.dueNanos(101).getAsLong() - s.dueNanos(100).getAsLong());
    }
}

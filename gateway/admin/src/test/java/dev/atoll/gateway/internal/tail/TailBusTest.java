package dev.atoll.gateway.internal.tail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The bus on its own: publishing never waits for a subscriber, filters, the recent-call ring. */
class TailBusTest {

    private static TailEvent.Call call(TailBus bus, String tool, String tenant, String outcome) {
        return new TailEvent.Call(
                Instant.now(),
                "n1",
                bus.nextCallSeq(),
                tenant,
                tool,
                1,
                "isolate",
                outcome,
                10,
                1,
                2,
                3,
                List.of(),
                List.of(),
                List.of(),
                false);
    }

    @Test
    void aSubscriberThatDoesNotReadIsDroppedAndPublishingNeverWaits() throws Exception {
        TailBus bus = new TailBus(4, 2, 10);
        TailBus.Subscription stuck = bus.subscribe(TailFilter.ALL).orElseThrow();
        TailBus.Subscription reader = bus.subscribe(TailFilter.ALL).orElseThrow();
        assertTrue(bus.subscribe(TailFilter.ALL).isEmpty(), "tail.max-subscribers");
        long started = System.nanoTime();
        for (int i = 0; i < 10_000; i++) {
            bus.publish(call(bus, "t", "a", "ok"));
            if (i < 4) {
                assertTrue(reader.next(Duration.ZERO).isPresent()); // this one keeps up for a while
            }
        }
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(30).toNanos());
        assertTrue(stuck.overflowed());
        assertEquals(0, bus.subscribers(), "both fell behind and were dropped");
        assertEquals(2, bus.droppedSubscribers());
        for (int i = 0; i < 4; i++) {
            assertTrue(stuck.next(Duration.ZERO).isPresent(), "what was queued is still delivered");
        }
        assertEquals(Optional.empty(), stuck.next(Duration.ofSeconds(5)), "then nothing: no wait once dropped");
        assertTrue(bus.subscribe(TailFilter.ALL).isPresent(), "room again");
    }

    @Test
    void filtersAndTheRecentCalls() throws Exception {
        TailBus bus = new TailBus(100, 5, 3);
        TailFilter acmeErrors =
                new TailFilter(Optional.empty(), Optional.of("acme"), Optional.of("tool_error"), Optional.empty());
        TailBus.Subscription s = bus.subscribe(acmeErrors).orElseThrow();
        bus.publish(call(bus, "t", "acme", "ok"));
        bus.publish(call(bus, "t", "other", "tool_error"));
        TailEvent.Call hit = call(bus, "t", "acme", "tool_error");
        bus.publish(hit);
        bus.publish(new TailEvent.Admin(Instant.now(), "n1", "tool.approve", "t", "token:x", ""));
        assertEquals(Optional.of(hit), s.next(Duration.ZERO));
        assertEquals(Optional.empty(), s.next(Duration.ZERO), "admin events never pass a tenant filter");
        TailFilter tool = new TailFilter(Optional.of("t"), Optional.empty(), Optional.empty(), Optional.of("n1"));
        assertTrue(tool.matches(new TailEvent.Admin(Instant.now(), "n1", "tool.approve", "t", "a", "")));
        assertFalse(tool.matches(new TailEvent.Admin(Instant.now(), "n2", "tool.approve", "t", "a", "")));
        assertEquals(Optional.of(hit), bus.call(hit.seq()));
        bus.publish(call(bus, "t", "a", "ok"));
        bus.publish(call(bus, "t", "a", "ok"));
        bus.publish(call(bus, "t", "a", "ok"));
        assertEquals(Optional.empty(), bus.call(hit.seq()), "only tail.recent-calls are kept");
    }
}

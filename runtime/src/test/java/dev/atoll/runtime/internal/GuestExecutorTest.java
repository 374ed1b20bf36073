package dev.atoll.runtime.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The guest threads survive interrupts that outlive the call they were meant for. Cancelling a call
 * interrupts the threads in its context (and {@code Future.cancel(true)} its runner); one that lands
 * after the call ended once ended a runtime's only guest thread in its next wait for work, as if the
 * executor were closing, and every later call was shed at its wall limit.
 */
class GuestExecutorTest {

    @Test
    void anInterruptLeftBehindByATaskDoesNotEndTheThread() throws Exception {
        try (GuestExecutor executor = new GuestExecutor(1, 4, 1 << 20, 1)) {
            Thread first = executor.submit(() -> {
                Thread.currentThread().interrupt(); // as a cancel that landed just as the call ended
                return Thread.currentThread();
            }).get(30, TimeUnit.SECONDS);
            Thread second = executor.submit(Thread::currentThread).get(30, TimeUnit.SECONDS);
            assertSame(first, second, "the lane's only thread serves the next call");
            assertEquals(false, executor.submit(() -> Thread.currentThread().isInterrupted()).get(30, TimeUnit.SECONDS),
                    "a task does not start with the previous call's interrupt pending");
        }
    }

    @Test
    void anInterruptOfAnIdleThreadDoesNotEndIt() throws Exception {
        try (GuestExecutor executor = new GuestExecutor(1, 4, 1 << 20, 1)) {
            Thread worker = executor.submit(Thread::currentThread).get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> worker.getState() == Thread.State.WAITING);
            worker.interrupt();
            assertSame(worker, executor.submit(Thread::currentThread).get(30, TimeUnit.SECONDS));
        }
    }
}

package dev.atoll.loadtest.internal;

import dev.atoll.loadtest.Progress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Runs the load. Open model: one scheduler thread sends call {@code i} at its due time (or as soon after
 * as one of {@code maxInFlight} slots is free) and its latency counts from the due time, so a stalled
 * target is charged for every call it kept waiting (no coordinated omission). Closed model:
 * {@code concurrency} callers, each sending its next call when the previous one answers. Both stop at the
 * duration or after {@code maxCalls}, whichever comes first, then wait at most {@code drain} for calls in
 * flight.
 */
public final class Driver {

    private static final long SECOND = 1_000_000_000L;

    /**
     * What to run.
     *
     * @param open the arrival schedule (open model), or empty for the closed model
     * @param concurrency closed model: callers
     * @param durationNanos closed model: how long
     * @param maxCalls most calls sent
     * @param maxInFlight open model: most calls in flight
     * @param argumentSets how many argument sets to rotate through
     * @param platformThreads whether calls must run on platform threads (in-process mode)
     * @param drain how long to wait for calls in flight at the end
     */
    public record Plan(
            Optional<Schedule> open,
            int concurrency,
            long durationNanos,
            long maxCalls,
            int maxInFlight,
            int argumentSets,
            boolean platformThreads,
            Duration drain) {}

    private Driver() {}

    /**
     * Runs the plan.
     *
     * @param plan what to run
     * @param caller makes the calls
     * @param rec records them
     * @param progress told once a second
     * @return nanoseconds from the start to the end of the drain
     */
    public static long run(Plan plan, Caller caller, Recording rec, Consumer<Progress> progress) {
        int threads = plan.open().isPresent() ? plan.maxInFlight() : plan.concurrency();
        ExecutorService executor = plan.platformThreads()
                ? Executors.newFixedThreadPool(
                        threads,
                        Thread.ofPlatform()
                                .daemon()
                                .name("atoll-loadtest-", 0)
                                .stackSize(4L << 20)
                                .factory())
                : Executors.newThreadPerTaskExecutor(
                        Thread.ofVirtual().name("atoll-loadtest-", 0).factory());
        long t0 = System.nanoTime();
        CountDownLatch stop = new CountDownLatch(1);
        long[] ticks = {0};
        Thread sampler = Thread.ofPlatform()
                .daemon()
                .name("atoll-loadtest-sampler")
                .start(() -> {
                    try {
                        long k = 1;
                        while (!stop.await(t0 + k * SECOND - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                            rec.interval((double) k, 1);
                            ticks[0] = k;
                            progress.accept(progress(rec, System.nanoTime() - t0));
                            k++;
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
        try {
            if (plan.open().isPresent()) {
                open(plan, plan.open().get(), caller, rec, executor, t0);
            } else {
                closed(plan, caller, rec, executor, t0);
            }
        } finally {
            executor.shutdownNow();
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stop.countDown();
            try {
                sampler.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long elapsed = System.nanoTime() - t0;
        double last = ticks[0];
        double t = elapsed / 1e9;
        if (t - last > 1e-3 || rec.seconds().isEmpty()) {
            rec.interval(t, t - last);
        }
        return elapsed;
    }

    private static Progress progress(Recording rec, long elapsedNanos) {
        var s = rec.seconds();
        double rate = s.isEmpty() ? 0 : s.getLast().rate();
        var lat = rec.latencySoFar();
        Map<String, Long> errors = new LinkedHashMap<>(rec.outcomes());
        errors.remove("ok");
        return new Progress(Duration.ofNanos(elapsedNanos), rec.calls(), rate, lat.p50(), lat.p99(), errors);
    }

    private static Caller.Result call(Caller caller, long i, int sets) {
        try {
            return caller.call((int) (i % sets));
        } catch (RuntimeException e) {
            return new Caller.Result("client_error", Caller.Phases.NONE);
        }
    }

    private static void open(
            Plan plan, Schedule schedule, Caller caller, Recording rec, ExecutorService executor, long t0) {
        Semaphore slots = new Semaphore(plan.maxInFlight());
        long end = t0 + schedule.totalNanos();
        long wanted = Math.min(schedule.totalCalls(), plan.maxCalls());
        long i = 0;
        try {
            while (i < wanted) {
                OptionalLong due = schedule.dueNanos(i);
                if (due.isEmpty()) {
                    break;
                }
                long intended = t0 + due.getAsLong();
                sleepUntil(intended);
                if (!slots.tryAcquire(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    break; // the schedule ended while every slot was busy
                }
                long index = i;
                executor.execute(() -> {
                    try {
                        long sent = System.nanoTime();
                        Caller.Result r = call(caller, index, plan.argumentSets());
                        rec.record(intended, sent, System.nanoTime(), r);
                    } finally {
                        slots.release();
                    }
                });
                i++;
            }
            rec.notSent(wanted - i);
            slots.tryAcquire(plan.maxInFlight(), plan.drain().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closed(Plan plan, Caller caller, Recording rec, ExecutorService executor, long t0) {
        long end = t0 + plan.durationNanos();
        AtomicLong counter = new AtomicLong();
        CountDownLatch done = new CountDownLatch(plan.concurrency());
        for (int c = 0; c < plan.concurrency(); c++) {
            executor.execute(() -> {
                try {
                    while (System.nanoTime() < end && !Thread.currentThread().isInterrupted()) {
                        long index = counter.getAndIncrement();
                        if (index >= plan.maxCalls()) {
                            break;
                        }
                        long sent = System.nanoTime();
                        Caller.Result r = call(caller, index, plan.argumentSets());
                        rec.record(sent, sent, System.nanoTime(), r);
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        try {
            done.await(plan.durationNanos() + plan.drain().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepUntil(long deadline) {
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            if (left > 50_000) {
                LockSupport.parkNanos(left - 20_000);
            } else {
                Thread.onSpinWait();
            }
        }
    }
}

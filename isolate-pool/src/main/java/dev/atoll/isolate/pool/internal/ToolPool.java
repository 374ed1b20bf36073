package dev.atoll.isolate.pool.internal;

import dev.atoll.runtime.Tool;
import dev.atoll.runtime.WarmContext;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The state of one active tool version: its warm contexts, their target size and the figures the
 * maintenance tick sizes it from. Mutated by callers, replenisher threads and the tick; every field is
 * atomic or volatile, and the sizing figures are approximate by design.
 */
final class ToolPool {
    final Tool tool;
    final String versionKey;
    /** Calls of this version that may run at once (fair: waiters are served in order). */
    final Semaphore permits;

    final ConcurrentLinkedDeque<WarmContext> ready = new ConcurrentLinkedDeque<>();
    /** Contexts in {@link #ready}. */
    final AtomicInteger warm = new AtomicInteger();
    /** Contexts ready plus contexts being created; never above {@link #target} when reserved. */
    final AtomicInteger slots = new AtomicInteger();

    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger peakRunning = new AtomicInteger();
    final LongAdder callsSinceTick = new LongAdder();
    final LongAdder warmHits = new LongAdder();
    final LongAdder coldStarts = new LongAdder();
    final LongAdder shed = new LongAdder();
    final LongAdder evicted = new LongAdder();
    volatile int target;
    volatile boolean retired;
    volatile long lastCallNanos;
    /** Moving average of the wall time of one creation. */
    volatile long prepNanos = 300_000;
    /** Replenishing is paused until this time after a failed creation (0: not paused). */
    volatile long backoffUntil;
    /** Moving average of calls per second; written by the tick only. */
    double rate;

    int reportedWarm = -1;
    int reportedTarget = -1;

    ToolPool(Tool tool, int concurrency, int initialTarget) {
        this.tool = tool;
        this.versionKey = versionKey(tool);
        this.permits = new Semaphore(concurrency, true);
        this.target = initialTarget;
        this.lastCallNanos = System.nanoTime();
    }

    /** A tool version: its file name (shown in stack traces) and the digest of its code. */
    static String versionKey(Tool tool) {
        return tool.source().language().id() + ":" + tool.source().fileName() + "@" + tool.codeDigest();
    }

    /** Notes a call starting: call rate, concurrency peak, and a target at least as large as the concurrency. */
    void callStarted(int maxWarm) {
        int now = running.incrementAndGet();
        peakRunning.accumulateAndGet(now, Math::max);
        callsSinceTick.increment();
        lastCallNanos = System.nanoTime();
        int want = Math.min(maxWarm, now);
        if (target < want) {
            target = want;
        }
    }

    boolean paused() {
        long b = backoffUntil;
        return b != 0 && System.nanoTime() - b < 0;
    }
}

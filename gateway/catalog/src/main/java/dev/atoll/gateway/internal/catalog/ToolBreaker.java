package dev.atoll.gateway.internal.catalog;

import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.RuntimeObserver;
import dev.atoll.runtime.Tool;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The circuit breaker on isolate tools: a tool version is suspended at once when one of its calls
 * does not stop when cancelled (its guest thread had to be written off), and after
 * {@code limitStreak} calls in a row that ended past a CPU, memory or wall limit. Suspending is the
 * gateway's {@link Suspender} (disable in the registry, with an audit record), run off the caller's
 * thread; meanwhile the tool's calls are refused here ({@link #suspended}). Wraps the observer that
 * records metrics, which it forwards every event to.
 */
public final class ToolBreaker implements RuntimeObserver, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ToolBreaker.class.getName());

    /** Takes a tool version out of service. */
    @FunctionalInterface
    public interface Suspender {
        /**
         * Suspends a tool version; called on the breaker's own thread, one at a time.
         *
         * @param name tool name
         * @param digest the version's code digest
         * @param reason why, for the audit record and the operator
         */
        void suspend(String name, String digest, String reason);
    }

    private final RuntimeObserver next;
    private final int limitStreak;
    private final Suspender suspender;
    private final Map<String, AtomicInteger> streaks = new ConcurrentHashMap<>();
    private final Set<String> tripping = ConcurrentHashMap.newKeySet();
    private final AtomicInteger suspensions = new AtomicInteger();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(
            r -> Thread.ofVirtual().name("atoll-tool-breaker").unstarted(r));

    /**
     * @param next the observer every event is forwarded to
     * @param limitStreak calls in a row past a limit that suspend a tool version (0: never)
     * @param suspender takes a tool version out of service
     */
    public ToolBreaker(RuntimeObserver next, int limitStreak, Suspender suspender) {
        if (limitStreak < 0) {
            throw new IllegalArgumentException("suspend-after-limit-streak must not be negative, got " + limitStreak);
        }
        this.next = Objects.requireNonNull(next, "next");
        this.limitStreak = limitStreak;
        this.suspender = Objects.requireNonNull(suspender, "suspender");
    }

    /**
     * Whether a tool version is being suspended now (its calls are refused until the registry has
     * taken it out of the catalogue).
     *
     * @param tool the tool version
     * @return whether it is tripped
     */
    public boolean suspended(Tool tool) {
        return tripping.contains(tool.codeDigest());
    }

    /** Suspensions since start. */
    public int suspensions() {
        return suspensions.get();
    }

    @Override
    public void contextPrepared(Tool tool, Duration elapsed) {
        next.contextPrepared(tool, elapsed);
    }

    @Override
    public void guestThreadWait(Tool tool, Duration waited) {
        next.guestThreadWait(tool, waited);
    }

    @Override
    public void guestThreadAbandoned(Tool tool) {
        trip(tool, "a call did not stop when it was cancelled; its guest thread was written off");
        next.guestThreadAbandoned(tool);
    }

    @Override
    public void callCompleted(Tool tool, CallResult result) {
        switch (result.outcome().kind()) {
            case CPU_EXCEEDED, MEMORY_EXCEEDED, WALL_EXCEEDED -> {
                int n = streaks.computeIfAbsent(tool.codeDigest(), d -> new AtomicInteger())
                        .incrementAndGet();
                if (limitStreak > 0 && n >= limitStreak) {
                    trip(
                            tool,
                            n + " calls in a row ended past a limit (last: "
                                    + result.outcome().kind().wireName() + ")");
                }
            }
            case LOAD_SHED, INTERNAL_ERROR, INVALID_TOOL, INVALID_ARGUMENTS -> {
                // not the tool's doing, or not a run: the streak stands
            }
            default -> streaks.remove(tool.codeDigest());
        }
        next.callCompleted(tool, result);
    }

    private void trip(Tool tool, String reason) {
        String digest = tool.codeDigest();
        if (!tripping.add(digest)) {
            return;
        }
        streaks.remove(digest);
        suspensions.incrementAndGet();
        LOG.severe("circuit breaker: suspending tool " + tool.name() + " " + digest + ": " + reason);
        try {
            worker.execute(() -> {
                try {
                    suspender.suspend(tool.name(), digest, reason);
                } catch (RuntimeException e) {
                    LOG.log(Level.SEVERE, "circuit breaker: suspending tool " + tool.name() + " failed", e);
                } finally {
                    tripping.remove(digest);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            tripping.remove(digest); // closing
        }
    }

    @Override
    public void close() {
        worker.shutdown();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.atoll.runtime.internal;

import dev.atoll.runtime.Outcome;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loaded tool version's standing on this node: whether it is on probation. A call that ends past
 * its CPU or memory limit, or whose guest does not stop when cancelled, puts the tool on probation
 * for the next {@value #PROBATION_CALLS} calls that stay within their limits; meanwhile its calls and
 * their contexts run in the {@linkplain GuestExecutor.Lane#PROBATION low-priority lane}, so they get
 * only the CPU that tools in good standing leave. A wall-time limit does not count (a call waiting for
 * I/O uses no CPU, and a call slowed down by the low priority must not keep itself there).
 */
public final class Standing {

    /** Calls within their limits that end a probation. */
    static final int PROBATION_CALLS = 16;

    private final AtomicInteger probation = new AtomicInteger();

    /** Whether the tool's calls run in the low-priority lane now. */
    public boolean onProbation() {
        return probation.get() > 0;
    }

    /**
     * Notes how a call (or the set-up of its context) ended.
     *
     * @param outcome how it ended
     * @param abandoned whether its guest did not stop when cancelled
     */
    void record(Outcome outcome, boolean abandoned) {
        if (abandoned) {
            probation.set(PROBATION_CALLS);
            return;
        }
        switch (outcome) {
            case Outcome.CpuExceeded c -> probation.set(PROBATION_CALLS);
            case Outcome.MemoryExceeded m -> probation.set(PROBATION_CALLS);
            case Outcome.Ok o -> probation.getAndUpdate(n -> Math.max(0, n - 1));
            case Outcome.ToolError e -> probation.getAndUpdate(n -> Math.max(0, n - 1));
            case Outcome.InvalidOutput e -> probation.getAndUpdate(n -> Math.max(0, n - 1));
            case Outcome.OutputTooLarge e -> probation.getAndUpdate(n -> Math.max(0, n - 1));
            case Outcome.WallExceeded w -> {
                // neither: waiting for I/O, or slowed down by the low priority itself
            }
            case Outcome.InvalidArguments a -> {
                // not a run
            }
            case Outcome.InvalidTool t -> {
                // not a run
            }
            case Outcome.LoadShed l -> {
                // not a run
            }
            case Outcome.InternalError e -> {
                // not the tool's doing
            }
        }
    }
}

package dev.atoll.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * What one call consumed, measured on its guest thread.
 *
 * @param cpu CPU time of the guest thread
 * @param wall wall time from the start on the guest thread to the end
 * @param allocatedBytes bytes allocated by the guest thread
 * @param droppedLogs console messages dropped because the log limit was reached
 */
public record Receipt(Duration cpu, Duration wall, long allocatedBytes, int droppedLogs) {

    /** Rejects nulls. */
    public Receipt {
        Objects.requireNonNull(cpu, "cpu");
        Objects.requireNonNull(wall, "wall");
    }

    /** A receipt for a call that never reached a guest thread. */
    public static Receipt none() {
        return new Receipt(Duration.ZERO, Duration.ZERO, 0, 0);
    }
}

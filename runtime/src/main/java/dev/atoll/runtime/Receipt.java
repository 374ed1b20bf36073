package dev.atoll.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What one call consumed, measured on its guest thread, and what it sent out.
 *
 * @param cpu CPU time of the guest thread
 * @param wall wall time from the start on the guest thread to the end
 * @param allocatedBytes bytes allocated by the guest thread
 * @param droppedLogs console messages dropped because the log limit was reached
 * @param egress outbound requests of host bindings ({@code fetch}), allowed or refused, in order
 */
public record Receipt(Duration cpu, Duration wall, long allocatedBytes, int droppedLogs, List<EgressRecord> egress) {

    /** Rejects nulls and copies the egress list. */
    public Receipt {
        Objects.requireNonNull(cpu, "cpu");
        Objects.requireNonNull(wall, "wall");
        egress = List.copyOf(egress);
    }

    /**
     * A receipt of a call that made no outbound request.
     *
     * @param cpu CPU time of the guest thread
     * @param wall wall time
     * @param allocatedBytes bytes allocated by the guest thread
     * @param droppedLogs console messages dropped
     */
    public Receipt(Duration cpu, Duration wall, long allocatedBytes, int droppedLogs) {
        this(cpu, wall, allocatedBytes, droppedLogs, List.of());
    }

    /** A receipt for a call that never reached a guest thread. */
    public static Receipt none() {
        return new Receipt(Duration.ZERO, Duration.ZERO, 0, 0);
    }
}

package dev.atoll.runtime.internal;

/** Which limit the watchdog cancelled a call for. */
public enum Violation {
    /** CPU time of the guest thread passed its budget. */
    CPU,
    /** Bytes allocated by the guest thread passed its budget, or the heap guard picked this call. */
    MEMORY,
    /** The wall-clock deadline passed. */
    WALL
}

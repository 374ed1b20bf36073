package dev.atoll.isolate.pool;

/** Why a call was shed ({@link dev.atoll.runtime.Outcome.LoadShed}). */
public enum ShedReason {
    /** {@link PoolConfig#queueCapacity()} calls were already waiting. */
    QUEUE_FULL,
    /** The call waited {@link PoolConfig#queueDeadline()} for one of its tool's slots. */
    TOOL_LIMIT,
    /** The call waited {@link PoolConfig#queueDeadline()} for a global slot. */
    GLOBAL_LIMIT,
    /** The pool is closed. */
    CLOSED
}

package dev.atoll.isolate.pool;

/** Why a call was shed ({@link dev.atoll.runtime.Outcome.LoadShed}). */
public enum ShedReason {
    /** {@link PoolConfig#queueCapacity()} calls were already waiting. */
    QUEUE_FULL,
    /** The call waited {@link PoolConfig#queueDeadline()} for one of its tool's slots. */
    TOOL_LIMIT,
    /** The call waited {@link PoolConfig#queueDeadline()} for a global slot. */
    GLOBAL_LIMIT,
    /**
     * The call's tool version was beyond its share of the guest threads: too many of its calls were
     * waiting already, or it waited out its deadline while slots were free but kept for calls within
     * their shares ({@link PoolConfig#toolShare()}).
     */
    TOOL_SHARE,
    /**
     * The call's tenant was beyond its share of the guest threads and it waited out its deadline
     * while slots were free but kept for calls within their shares ({@link PoolConfig#tenantShare()}).
     */
    TENANT_SHARE,
    /** The pool is closed. */
    CLOSED
}

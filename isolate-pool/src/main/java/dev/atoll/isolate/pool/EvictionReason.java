package dev.atoll.isolate.pool;

/** Why a warm context was closed without serving a call. */
public enum EvictionReason {
    /** The tool had no call for {@link PoolConfig#idleShrinkAfter()}. */
    IDLE,
    /** The tool's call rate fell and its target size with it. */
    SHRUNK,
    /** The tool version was replaced by a new one or retired. */
    RETIRED,
    /** The pool was closed. */
    SHUTDOWN
}

package dev.atoll.isolate.pool;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of an {@link IsolatePool}, as built by {@link IsolatePool.Builder} (which checks each
 * value and names a bad one). Config keys and defaults are listed in {@code docs/configuration.md},
 * section "Isolate pool".
 *
 * @param minWarmPerTool warm contexts kept per active tool version even when it is idle
 * @param maxWarmPerTool most warm contexts (ready or being created) per tool version
 * @param maxWarmTotal most warm contexts across all tools, before the memory budget applies
 * @param memoryBudgetBytes heap set aside for warm contexts
 * @param contextBytes estimated retained heap of one warm context; {@code memoryBudgetBytes /
 *     contextBytes} caps the warm contexts too
 * @param toolConcurrency most calls of one tool version running at once
 * @param globalConcurrency most calls running at once across all tools
 * @param queueCapacity most calls waiting for admission at once; beyond it calls are shed at once
 * @param queueDeadline longest a call waits for admission before it is shed
 * @param idleShrinkAfter a tool version with no call for this long shrinks to {@code minWarmPerTool}
 * @param replenishThreads platform threads that create warm contexts in the background
 * @param retryAfter the hint returned with a shed call
 * @param codeCacheBytes weight bound of the digest-keyed cache of loaded tools (weight = code size)
 * @param callOnCallerThread run pooled calls on the caller's thread when it is a platform thread
 *     (saves the handoff to a guest thread) instead of on the runtime's guest threads
 * @param toolShare share of the admission slots (the smaller of {@code globalConcurrency} and the
 *     runtime's guest threads) one tool version may hold within its share
 * @param tenantShare share of the admission slots one tenant may hold within its share
 * @param reserveShare share of the admission slots kept for calls within their tool's and tenant's
 *     shares: a call beyond either share never takes them
 */
public record PoolConfig(
        int minWarmPerTool,
        int maxWarmPerTool,
        int maxWarmTotal,
        long memoryBudgetBytes,
        long contextBytes,
        int toolConcurrency,
        int globalConcurrency,
        int queueCapacity,
        Duration queueDeadline,
        Duration idleShrinkAfter,
        int replenishThreads,
        Duration retryAfter,
        long codeCacheBytes,
        boolean callOnCallerThread,
        double toolShare,
        double tenantShare,
        double reserveShare) {

    /** Rejects null durations; the builder checks ranges. */
    public PoolConfig {
        Objects.requireNonNull(queueDeadline, "queueDeadline");
        Objects.requireNonNull(idleShrinkAfter, "idleShrinkAfter");
        Objects.requireNonNull(retryAfter, "retryAfter");
    }

    /** The global cap on warm contexts: the smaller of {@code maxWarmTotal} and the memory budget's. */
    public int warmCap() {
        return (int) Math.min(maxWarmTotal, memoryBudgetBytes / contextBytes);
    }
}

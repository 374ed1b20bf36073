package dev.atoll.isolate.pool;

import java.util.List;
import java.util.Objects;

/**
 * A snapshot of an {@link IsolatePool}; counters are totals since the pool was built.
 *
 * @param warm warm contexts ready, across tools
 * @param creating warm contexts being created
 * @param warmCap the global cap on warm contexts ({@link PoolConfig#warmCap()})
 * @param running calls admitted and not yet finished
 * @param queued calls waiting for admission
 * @param cachedTools loaded tools in the digest-keyed cache
 * @param tools one entry per active tool version
 */
public record PoolStats(
        int warm, int creating, int warmCap, int running, int queued, long cachedTools, List<ToolStats> tools) {

    /** Copies the list. */
    public PoolStats {
        tools = List.copyOf(tools);
    }

    /**
     * One active tool version.
     *
     * @param name the tool name
     * @param codeDigest the version (SHA-256 of its code)
     * @param warm warm contexts ready
     * @param creating warm contexts being created
     * @param target the size the pool is filling towards
     * @param running calls of this version running now
     * @param warmHits calls served warm
     * @param coldStarts calls that created their context on the call path
     * @param shed calls shed
     * @param evicted warm contexts closed unused
     */
    public record ToolStats(
            String name,
            String codeDigest,
            int warm,
            int creating,
            int target,
            int running,
            long warmHits,
            long coldStarts,
            long shed,
            long evicted) {
        /** Rejects nulls. */
        public ToolStats {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(codeDigest, "codeDigest");
        }
    }
}

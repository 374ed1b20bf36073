package dev.atoll.isolate.pool;

import dev.atoll.runtime.Tool;
import java.time.Duration;

/**
 * Hooks for metrics (the gateway binds them to Micrometer); every method defaults to doing nothing.
 * Called on caller and replenisher threads: implementations must be fast and thread-safe. One that
 * throws is logged and otherwise ignored.
 */
public interface PoolObserver {

    /** An observer that ignores everything. */
    PoolObserver NO_OP = new PoolObserver() {};

    /**
     * A call was served by a context created ahead of time.
     *
     * @param tool the tool version
     */
    default void warmHit(Tool tool) {}

    /**
     * No warm context was ready: the call creates its own on the call path.
     *
     * @param tool the tool version
     */
    default void coldStart(Tool tool) {}

    /**
     * An admitted call ended: how long the pool spent on it from admission to result, and whether it
     * was served by a warm context or created its own on the call path (a cold start). Shed calls
     * are not reported here ({@link #loadShed}).
     *
     * @param tool the tool version
     * @param start warm or cold
     * @param elapsed wall time from admission to result (context creation included when cold)
     */
    default void callServed(Tool tool, ContextStart start, Duration elapsed) {}

    /**
     * A warm context was created in the background (context built and module evaluated).
     *
     * @param tool the tool version
     * @param elapsed wall time of the creation
     */
    default void contextCreated(Tool tool, Duration elapsed) {}

    /**
     * Creating a warm context failed (the module threw, or exceeded its limits while evaluating);
     * the pool stops replenishing the tool for a second and its calls run cold meanwhile.
     *
     * @param tool the tool version
     * @param elapsed wall time until it failed
     */
    default void creationFailed(Tool tool, Duration elapsed) {}

    /**
     * A call waited for admission (only reported when it did wait).
     *
     * @param tool the tool version
     * @param waited time spent in the queue
     */
    default void queueWait(Tool tool, Duration waited) {}

    /**
     * A call was shed.
     *
     * @param tool the tool version
     * @param reason which limit shed it
     */
    default void loadShed(Tool tool, ShedReason reason) {}

    /**
     * A warm context was closed unused.
     *
     * @param tool the tool version
     * @param reason why
     */
    default void evicted(Tool tool, EvictionReason reason) {}

    /**
     * A tool version's pool changed size or target (reported by the maintenance tick when either
     * changed, and when a version is activated or retired).
     *
     * @param tool the tool version
     * @param warm contexts ready
     * @param target the size the pool is filling towards
     */
    default void poolSize(Tool tool, int warm, int target) {}
}

package dev.atoll.isolate.pool;

/** How a call got its context: a closed set, for {@link PoolObserver#callServed}. */
public enum ContextStart {
    /** A context created ahead of time by the replenisher. */
    WARM,
    /** No warm context was ready: the call created its own on the call path. */
    COLD
}

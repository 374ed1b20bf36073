/**
 * Public API of the isolate pool: {@link dev.atoll.isolate.pool.IsolatePool} (built by its builder
 * into a {@link dev.atoll.isolate.pool.PoolConfig}) hands each call of a tool version a context that
 * was created and had the module evaluated ahead of time, used once and closed;
 * {@link dev.atoll.isolate.pool.PoolObserver} reports what it does, and
 * {@link dev.atoll.isolate.pool.PoolStats} is a snapshot of its state.
 */
package dev.atoll.isolate.pool;

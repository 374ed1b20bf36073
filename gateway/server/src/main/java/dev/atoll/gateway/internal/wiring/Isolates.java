package dev.atoll.gateway.internal.wiring;

import dev.atoll.gateway.GatewayConfig;
import dev.atoll.gateway.internal.catalog.ClientBinding;
import dev.atoll.gateway.internal.catalog.ToolBreaker;
import dev.atoll.gateway.internal.lifecycle.Resources;
import dev.atoll.gateway.internal.metrics.GatewayMetrics;
import dev.atoll.host.bindings.FetchBinding;
import dev.atoll.isolate.pool.IsolatePool;
import dev.atoll.isolate.pool.PoolObserver;
import dev.atoll.runtime.RuntimeObserver;
import dev.atoll.runtime.ToolRuntime;
import java.util.Optional;

/**
 * The isolate side: the runtime (with the fetch and client bindings), the circuit breaker that
 * watches it, and the pool of warm contexts on it.
 *
 * @param runtime the runtime
 * @param breaker the circuit breaker (the runtime's observer)
 * @param pool the isolate pool
 */
public record Isolates(ToolRuntime runtime, ToolBreaker breaker, IsolatePool pool) {

    /**
     * Starts the runtime and the pool ({@code runtime.*}, {@code pool.*}), each pushed on
     * {@code resources} as soon as it runs; the breaker closes before the pool and the runtime.
     *
     * @param config the configuration
     * @param resources the gateway's closer stack
     * @param fetch the fetch binding
     * @param metrics the metrics, if on
     * @param suspender the breaker's action
     * @return the started parts
     */
    public static Isolates start(
            GatewayConfig config,
            Resources resources,
            FetchBinding fetch,
            Optional<GatewayMetrics> metrics,
            ToolBreaker.Suspender suspender) {
        GatewayConfig.Runtime rc = config.runtime();
        ToolRuntime.Builder rb =
                ToolRuntime.builder().binding(fetch).binding(new ClientBinding()); // env.progress/sample/elicit
        ToolBreaker breaker = new ToolBreaker(
                metrics.<RuntimeObserver>map(m -> m).orElse(RuntimeObserver.NO_OP),
                rc.suspendAfterLimitStreak(),
                suspender);
        rb.observer(breaker);
        ToolRuntime runtime =
                resources.push("runtime", ConfigMapping.runtime(rc, rb).build());
        IsolatePool pool = resources.push(
                "isolate pool",
                ConfigMapping.pool(
                                config.pool(),
                                runtime,
                                metrics.<PoolObserver>map(m -> m).orElse(PoolObserver.NO_OP))
                        .build());
        resources.push("circuit breaker", breaker); // closed before the pool and the runtime
        return new Isolates(runtime, breaker, pool);
    }
}

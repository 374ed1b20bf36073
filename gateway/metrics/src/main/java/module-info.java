/**
 * The gateway's metrics: Micrometer meters in a Prometheus registry, fed by the call pipeline, DLP, the
 * isolate pool's, the runtime's and the upstream servers' observers, served at the admin listener's
 * {@code /metrics}; and the last hour of calls the web UI's overview draws. Only this module requires
 * Micrometer.
 *
 * <p>Null-marked: no parameter, return value or field is null unless it says {@code @Nullable}
 * (NullAway checks it at compile time).
 */
@org.jspecify.annotations.NullMarked
module dev.atoll.gateway.metrics {
    requires static org.jspecify;
    requires dev.atoll.gateway.http;
    requires dev.atoll.gateway.registry;
    requires dev.atoll.gateway.dlp;
    requires dev.atoll.gateway.upstream;
    requires dev.atoll.host.bindings;
    requires dev.atoll.isolate.pool;
    requires dev.atoll.runtime;
    requires io.helidon.webserver;
    requires io.helidon.http;
    requires micrometer.core;
    requires micrometer.registry.prometheus;

    exports dev.atoll.gateway.internal.metrics to
            dev.atoll.gateway,
            dev.atoll.gateway.admin;
}

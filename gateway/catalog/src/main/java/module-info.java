/**
 * The isolate side of the catalogue: the backend that runs JS and Python tool versions from the isolate
 * pool (with its circuit breaker and the {@code env.progress/sample/elicit} client binding), and the
 * resources, templates and prompts that isolate modules and upstream servers offer the MCP endpoint.
 * Wired by the server.
 *
 * <p>Null-marked: no parameter, return value or field is null unless it says {@code @Nullable}
 * (NullAway checks it at compile time).
 */
@org.jspecify.annotations.NullMarked
module dev.atoll.gateway.catalog {
    requires static org.jspecify;
    requires transitive dev.atoll.gateway.backend;
    requires dev.atoll.gateway.mcp;
    requires dev.atoll.gateway.registry;
    requires dev.atoll.gateway.upstream;
    requires dev.atoll.isolate.pool;
    requires dev.atoll.runtime;
    requires java.logging;

    exports dev.atoll.gateway.internal.catalog to
            dev.atoll.gateway;
}

/**
 * The MCP gateway (Helidon SE): its configuration, the call pipeline around
 * {@link dev.atoll.gateway.backend.ToolBackend}, and the wiring of the MCP endpoint, admin API, metrics,
 * registry, DLP, isolates and upstream servers. Entry type: {@link dev.atoll.gateway.Gateway}.
 *
 * <p>Null-marked: no parameter, return value or field is null unless it says {@code @Nullable}
 * (NullAway checks it at compile time).
 */
@org.jspecify.annotations.NullMarked
module dev.atoll.gateway {
    requires static org.jspecify;
    requires transitive dev.atoll.runtime;
    requires transitive dev.atoll.host.bindings;
    requires transitive dev.atoll.gateway.backend;
    requires transitive dev.atoll.gateway.dlp;
    requires transitive dev.atoll.gateway.registry;
    requires dev.atoll.gateway.upstream;
    requires dev.atoll.gateway.http;
    requires dev.atoll.gateway.mcp;
    requires dev.atoll.gateway.metrics;
    requires dev.atoll.gateway.admin;
    requires dev.atoll.gateway.catalog;
    requires dev.atoll.isolate.pool;
    requires io.helidon.webserver;
    requires io.helidon.http;
    requires transitive com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires java.logging;

    exports dev.atoll.gateway;

    // The bundled example tools, found as services (tools-examples provides them; nothing requires it).
    uses dev.atoll.gateway.backend.ToolBundle;

    opens dev.atoll.gateway to
            com.fasterxml.jackson.databind;
}

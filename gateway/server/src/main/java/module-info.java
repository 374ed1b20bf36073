/**
 * The MCP gateway (Helidon SE): the admin API, metrics, the call pipeline around
 * {@link dev.atoll.gateway.backend.ToolBackend}, and the wiring of the MCP endpoint, registry, DLP,
 * isolates and upstream servers. Entry type: {@link dev.atoll.gateway.Gateway}.
 */
module dev.atoll.gateway {
    requires transitive dev.atoll.runtime;
    requires transitive dev.atoll.host.bindings;
    requires transitive dev.atoll.gateway.backend;
    requires transitive dev.atoll.gateway.dlp;
    requires transitive dev.atoll.gateway.registry;
    requires dev.atoll.gateway.upstream;
    requires dev.atoll.gateway.http;
    requires dev.atoll.gateway.mcp;
    requires dev.atoll.gateway.metrics;
    requires dev.atoll.isolate.pool;
    requires io.helidon.webserver;
    requires io.helidon.http;
    requires io.helidon.common.parameters;
    // WebJars of the admin UI (automatic modules with resources only; META-INF is readable by all).
    requires htmx.org;
    requires htmx.ext.sse;
    requires uplot;
    requires transitive com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires com.github.benmanes.caffeine;
    requires java.logging;
    requires java.net.http; // the fleet-wide tail reads the other nodes' tails

    exports dev.atoll.gateway;

    // The bundled example tools, found as services (tools-examples provides them; nothing requires it).
    uses dev.atoll.gateway.backend.ToolBundle;

    opens dev.atoll.gateway to com.fasterxml.jackson.databind;
}

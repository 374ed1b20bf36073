/**
 * The tool backend SPI: {@link dev.atoll.gateway.backend.ToolBackend}, the one interface that isolate
 * tools and upstream MCP servers implement and that the gateway's call pipeline (DLP, audit, metrics)
 * decorates, with the values a call passes through it.
 */
module dev.atoll.gateway.backend {
    requires transitive dev.atoll.runtime;
    requires transitive com.fasterxml.jackson.databind;

    exports dev.atoll.gateway.backend;
}

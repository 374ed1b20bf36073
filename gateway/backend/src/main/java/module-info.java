/**
 * The tool backend SPI: {@link dev.atoll.gateway.backend.ToolBackend}, the one interface that isolate
 * tools and upstream MCP servers implement and that the gateway's call pipeline (DLP, audit, metrics)
 * decorates, with the values a call passes through it.
 *
 * <p>Null-marked: no parameter, return value or field is null unless it says {@code @Nullable}
 * (NullAway checks it at compile time).
 */
@org.jspecify.annotations.NullMarked
module dev.atoll.gateway.backend {
    requires static org.jspecify;
    requires transitive dev.atoll.runtime;
    requires transitive com.fasterxml.jackson.databind;

    exports dev.atoll.gateway.backend;
}

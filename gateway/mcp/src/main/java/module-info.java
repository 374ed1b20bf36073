/**
 * The MCP endpoint: JSON-RPC over Streamable HTTP in both protocol eras, the live catalogue it serves
 * ({@code ServedTools}), resources, prompts and subscriptions over {@link dev.atoll.gateway.backend.FeatureSource}s,
 * and {@code retrieve_tools} (BM25 over the catalogue). It calls tools through a {@code ToolCaller} (the
 * server's call pipeline) and knows no backend: the server wires isolates and upstream servers in.
 *
 * <p>Null-marked: no parameter, return value or field is null unless it says {@code @Nullable}
 * (NullAway checks it at compile time).
 */
@org.jspecify.annotations.NullMarked
module dev.atoll.gateway.mcp {
    requires static org.jspecify;
    requires transitive dev.atoll.gateway.backend;
    requires transitive dev.atoll.gateway.http;
    requires dev.atoll.gateway.registry; // a failing token store (RegistryException) answers 503
    requires io.helidon.webserver;
    requires io.helidon.http;
    requires io.helidon.common.media.type;
    requires com.github.benmanes.caffeine;
    requires org.apache.lucene.core;
    requires org.apache.lucene.analysis.common;
    requires java.logging;

    exports dev.atoll.gateway.internal.mcp to
            dev.atoll.gateway,
            dev.atoll.gateway.catalog;
}

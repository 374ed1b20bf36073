/**
 * Upstream MCP servers: stateful stdio servers run in a sandbox (bubblewrap or Docker), supervised, and
 * served through the same {@link dev.atoll.gateway.backend.ToolBackend} pipeline as isolate tools, with a
 * per-upstream egress proxy under the tenant's egress policy. The gateway wires it
 * ({@code dev.atoll.gateway.upstream.internal.UpstreamManager} is its entry type).
 *
 * <p>Null-marked: no parameter, return value or field is null unless it says {@code @Nullable}
 * (NullAway checks it at compile time).
 */
@org.jspecify.annotations.NullMarked
module dev.atoll.gateway.upstream {
    requires static org.jspecify;
    requires transitive dev.atoll.gateway.backend;
    requires transitive dev.atoll.gateway.registry;
    requires transitive dev.atoll.host.bindings;
    requires java.logging;
    requires com.github.dockerjava.api;
    requires com.github.dockerjava.core;
    requires com.github.dockerjava.transport;
    requires com.github.dockerjava.transport.httpclient5;
    // docker-java's jars are automatic modules: they declare no requires, so the explicit modules they
    // use must be resolved by someone, and only this module uses docker-java.
    requires org.apache.commons.lang3;
    requires org.apache.commons.io;
    requires org.apache.commons.compress;
    requires com.google.common;
    requires org.bouncycastle.pkix;
    requires org.bouncycastle.provider;
    requires org.slf4j;
    requires org.eclipse.jetty.server;
    requires org.eclipse.jetty.client;
    requires org.eclipse.jetty.http;
    requires org.eclipse.jetty.io;
    requires org.eclipse.jetty.util;

    exports dev.atoll.gateway.upstream.spi;
    exports dev.atoll.gateway.upstream.internal to
            dev.atoll.gateway,
            dev.atoll.gateway.metrics,
            dev.atoll.gateway.admin,
            dev.atoll.gateway.catalog;
}

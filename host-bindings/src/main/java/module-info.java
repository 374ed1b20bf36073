/**
 * Atoll's host bindings: capabilities a tool declares in its manifest and the host grants, deny by
 * default. The {@code fetch} binding ({@link dev.atoll.host.bindings.FetchBinding}) with its SSRF egress
 * policy, secret substitution and egress inspection SPI.
 *
 * <p>Null-marked: no parameter, return value or field is null unless it says {@code @Nullable}
 * (NullAway checks it at compile time).
 */
@org.jspecify.annotations.NullMarked
module dev.atoll.host.bindings {
    requires static org.jspecify;
    requires transitive dev.atoll.runtime;
    requires org.eclipse.jetty.client;
    requires org.eclipse.jetty.http;
    requires org.eclipse.jetty.io;
    requires org.eclipse.jetty.util;

    exports dev.atoll.host.bindings;
    // The pinned resolver, for the upstream egress proxy's own Jetty client (one copy, not two).
    exports dev.atoll.host.bindings.pinning to
            dev.atoll.gateway.upstream;
}

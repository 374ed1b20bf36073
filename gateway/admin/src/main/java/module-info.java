/**
 * The admin listener's API and web UI, and the live tail: deploy by upload, approvals, tokens, audit,
 * upstream servers, the fleet, {@code GET /v1/tail} (this node's and the fleet's), and the htmx pages
 * under {@code /ui} with their bundled scripts. Wired by the server.
 *
 * <p>Null-marked: no parameter, return value or field is null unless it says {@code @Nullable}
 * (NullAway checks it at compile time).
 */
@org.jspecify.annotations.NullMarked
module dev.atoll.gateway.admin {
    requires static org.jspecify;
    requires dev.atoll.gateway.http;
    requires dev.atoll.gateway.metrics;
    requires dev.atoll.gateway.registry;
    requires dev.atoll.gateway.upstream;
    requires dev.atoll.runtime;
    requires io.helidon.webserver;
    requires io.helidon.http;
    requires io.helidon.common.parameters;
    // WebJars of the web UI (automatic modules with resources only; META-INF is readable by all).
    requires htmx.org;
    requires htmx.ext.sse;
    requires uplot;
    requires com.fasterxml.jackson.databind;
    requires com.github.benmanes.caffeine;
    requires java.net.http; // the fleet-wide tail reads the other nodes' tails

    exports dev.atoll.gateway.internal.admin to
            dev.atoll.gateway;
    exports dev.atoll.gateway.internal.tail to
            dev.atoll.gateway;
}

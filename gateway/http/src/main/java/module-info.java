/**
 * The HTTP guards the gateway's listeners share: bearer-token authentication (registry tokens or OAuth
 * JWTs), the caller it yields, and the Host/Origin checks. Used by the MCP endpoint, the admin API and
 * {@code /metrics}; wired by the server.
 *
 * <p>Null-marked: no parameter, return value or field is null unless it says {@code @Nullable}
 * (NullAway checks it at compile time).
 */
@org.jspecify.annotations.NullMarked
module dev.atoll.gateway.http {
    requires static org.jspecify;
    requires io.helidon.webserver;
    requires io.helidon.http;
    requires com.nimbusds.jose.jwt;

    exports dev.atoll.gateway.internal.http to
            dev.atoll.gateway,
            dev.atoll.gateway.mcp,
            dev.atoll.gateway.metrics,
            dev.atoll.gateway.admin;
}

package dev.atoll.gateway.internal.wiring;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.atoll.gateway.GatewayConfig;
import dev.atoll.gateway.internal.http.ConnectionClose;
import dev.atoll.gateway.internal.http.OriginGuard;
import dev.atoll.gateway.internal.lifecycle.HealthHttp;
import dev.atoll.gateway.internal.mcp.McpHttp;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The gateway's two Helidon listeners: MCP (health probes, the MCP endpoint, OAuth resource
 * metadata) and admin ({@code admin.*}), with the caps from {@code http.*}.
 */
public final class Listeners {

    private Listeners() {}

    /**
     * Builds (does not start) the web server.
     *
     * @param config the configuration
     * @param adminLoopback whether the admin listener is on a loopback address
     * @param health the health probes
     * @param endpoint the MCP endpoint
     * @param admin the admin listener's services (after its connection and Origin filters)
     * @return the web server
     */
    public static WebServer server(
            GatewayConfig config,
            boolean adminLoopback,
            HealthHttp health,
            McpHttp endpoint,
            Consumer<HttpRouting.Builder> admin) {
        GatewayConfig.Mcp mc = config.mcp();
        GatewayConfig.Admin ac = config.admin();
        GatewayConfig.Http hc = config.http();
        GatewayConfig.OAuth oc = config.oauth();
        return WebServer.builder()
                .host(mc.host())
                .port(mc.port())
                // Helidon's cap is the backstop for chunked bodies; ours (a JSON-RPC 413) answers first.
                .maxPayloadSize(hc.maxPayloadBytes() + (64 << 10))
                .maxConcurrentRequests(hc.maxConcurrentRequests())
                .maxTcpConnections(hc.maxTcpConnections())
                .idleConnectionTimeout(Duration.ofMillis(hc.idleConnectionTimeoutMs()))
                .shutdownGracePeriod(Duration.ofMillis(hc.shutdownGraceMs()))
                .addProtocol(Http1Config.builder()
                        .maxHeadersSize(hc.maxHeaderBytes())
                        .build())
                .shutdownHook(false)
                .routing(r -> {
                    r.addFilter(ConnectionClose.filter());
                    r.register(health); // no auth: load balancers and kubelets probe these
                    r.register(endpoint);
                    if (oc.enabled()) {
                        r.get("/.well-known/oauth-protected-resource", (req, res) -> metadata(oc, res));
                        r.get("/.well-known/oauth-protected-resource" + mc.path(), (req, res) -> metadata(oc, res));
                    }
                })
                .putSocket(
                        "admin",
                        s -> s.host(ac.host())
                                .port(ac.port())
                                .maxPayloadSize(Math.max(hc.maxPayloadBytes(), 8L << 20))
                                .maxConcurrentRequests(64)
                                .shutdownGracePeriod(Duration.ofMillis(hc.shutdownGraceMs()))
                                .addProtocol(Http1Config.builder()
                                        .maxHeadersSize(hc.maxHeaderBytes())
                                        .build()))
                .routing("admin", r -> {
                    r.addFilter(ConnectionClose.filter());
                    // DNS-rebinding defence as on the MCP listener, with the same allowed names.
                    r.addFilter(new OriginGuard(
                                    adminLoopback,
                                    ConfigMapping.lower(mc.allowedHosts()),
                                    ConfigMapping.lower(mc.allowedOrigins()))
                            .filter());
                    admin.accept(r);
                })
                .build();
    }

    /**
     * The URL of this resource server's OAuth metadata ({@code oauth.audience}'s origin and path).
     *
     * @param oc the OAuth section
     * @return the URL
     */
    public static String metadataUrl(GatewayConfig.OAuth oc) {
        String resource = oc.audience();
        URI u = URI.create(resource);
        return u.getScheme() + "://" + u.getRawAuthority() + "/.well-known/oauth-protected-resource"
                + (u.getRawPath() == null ? "" : u.getRawPath());
    }

    private static void metadata(GatewayConfig.OAuth oc, io.helidon.webserver.http.ServerResponse res) {
        var m = JsonNodeFactory.instance.objectNode();
        m.put("resource", oc.audience());
        var servers = m.putArray("authorization_servers");
        (oc.authorizationServers().isEmpty() ? List.of(oc.issuer()) : oc.authorizationServers()).forEach(servers::add);
        m.putArray("bearer_methods_supported").add("header");
        m.putArray("scopes_supported").add(oc.scopePrefix() + "*");
        m.put("resource_name", "Atoll MCP gateway");
        res.header("Content-Type", "application/json");
        res.send(m.toString());
    }
}

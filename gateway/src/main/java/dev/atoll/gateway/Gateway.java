package dev.atoll.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.backend.CatalogEntry;
import dev.atoll.gateway.internal.catalog.Catalog;
import dev.atoll.gateway.internal.catalog.IsolateBackend;
import dev.atoll.gateway.internal.http.Authenticator;
import dev.atoll.gateway.internal.http.JwtAuthenticator;
import dev.atoll.gateway.internal.http.OriginGuard;
import dev.atoll.gateway.internal.http.Principal;
import dev.atoll.gateway.internal.mcp.JsonRpc;
import dev.atoll.gateway.internal.mcp.McpHttp;
import dev.atoll.gateway.internal.mcp.McpService;
import dev.atoll.gateway.internal.mcp.Streams;
import dev.atoll.isolate.pool.IsolatePool;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolRuntime;
import dev.atoll.runtime.ToolSource;
import dev.atoll.tools.examples.Examples;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Atoll gateway: the MCP endpoint and the admin API on two Helidon listeners, in front of the
 * catalogue and the isolate pool. Built by {@link #builder()}, started by {@link Builder#start()},
 * stopped by {@link #close()} (in-flight calls finish within the configured grace period).
 */
public final class Gateway implements AutoCloseable {

    /** The version reported in {@code serverInfo}. */
    public static final String VERSION = "0.1.0";

    private final GatewayConfig config;
    private final ToolRuntime runtime;
    private final IsolatePool pool;
    private final Catalog catalog;
    private final IsolateBackend isolates;
    private final McpService mcp;
    private final Streams streams;
    private final WebServer server;

    private Gateway(Builder b) {
        this.config = b.config;
        GatewayConfig.Runtime rc = config.runtime();
        ToolRuntime.Builder rb = ToolRuntime.builder();
        if (rc.guestThreads() > 0) {
            rb.guestThreads(rc.guestThreads());
        }
        if (rc.jitWarmUpMs() > 0) {
            rb.jitWarmUp(Duration.ofMillis(rc.jitWarmUpMs()));
        }
        this.runtime = rb.build();
        GatewayConfig.Pool pc = config.pool();
        this.pool = IsolatePool.builder(runtime)
                .minWarmPerTool(pc.minWarmPerTool())
                .maxWarmPerTool(pc.maxWarmPerTool())
                .maxWarmTotal(pc.maxWarmTotal())
                .toolConcurrency(pc.toolConcurrency())
                .globalConcurrency(pc.globalConcurrency())
                .queueCapacity(pc.queueCapacity())
                .queueDeadline(Duration.ofMillis(pc.queueDeadlineMs()))
                .idleShrinkAfter(Duration.ofMillis(pc.idleShrinkAfterMs()))
                .replenishThreads(pc.replenishThreads())
                .build();
        this.catalog = new Catalog();
        this.isolates = new IsolateBackend(pool);
        GatewayConfig.Mcp mc = config.mcp();
        GatewayConfig.Http hc = config.http();
        JsonRpc rpc = new JsonRpc(hc.maxJsonDepth(), (int) Math.min(Integer.MAX_VALUE, hc.maxPayloadBytes()));
        this.streams = new Streams(mc.maxStreams());
        this.mcp = new McpService(new McpService.Settings("atoll", VERSION, mc.pageSize(),
                Duration.ofMillis(mc.sessionIdleMs()), mc.maxSessions(), Duration.ofMillis(mc.listTtlMs())),
                catalog, (principal, entry, args, ctx) -> entry.backend().call(entry, args, ctx), rpc, streams);
        Map<String, Principal> tokens = Map.copyOf(b.mcpTokens);
        boolean loopback = isLoopback(mc.host());
        if (!mc.requireAuth() && !loopback) {
            throw new GatewayException("mcp.require-auth: false is allowed only on a loopback listener, not on "
                    + mc.host());
        }
        Principal anonymous = new Principal("anonymous", Set.of("*"));
        Authenticator own = token -> Optional.ofNullable(tokens.get(token));
        GatewayConfig.OAuth oc = config.oauth();
        Authenticator jwt = oc.enabled() ? jwtAuthenticator(oc) : token -> Optional.empty();
        Authenticator auth = mc.requireAuth() ? token -> own.authenticate(token).or(() -> jwt.authenticate(token))
                : token -> Optional.of(anonymous);
        OriginGuard guard = new OriginGuard(loopback, lower(mc.allowedHosts()), lower(mc.allowedOrigins()));
        McpHttp endpoint = new McpHttp(mc.path(), mcp, guard, auth, rpc.mapper(), hc.maxPayloadBytes(),
                () -> oc.enabled() ? metadataUrl() : "", mc.requireAuth());
        GatewayConfig.Admin ac = config.admin();
        this.server = WebServer.builder()
                .host(mc.host())
                .port(mc.port())
                // Helidon's cap is the backstop for chunked bodies; ours (a JSON-RPC 413) answers first.
                .maxPayloadSize(hc.maxPayloadBytes() + (64 << 10))
                .maxConcurrentRequests(hc.maxConcurrentRequests())
                .maxTcpConnections(hc.maxTcpConnections())
                .idleConnectionTimeout(Duration.ofMillis(hc.idleConnectionTimeoutMs()))
                .shutdownGracePeriod(Duration.ofMillis(hc.shutdownGraceMs()))
                .addProtocol(Http1Config.builder().maxHeadersSize(hc.maxHeaderBytes()).build())
                .shutdownHook(false)
                .routing(r -> {
                    r.register(endpoint);
                    if (oc.enabled()) {
                        r.get("/.well-known/oauth-protected-resource", (req, res) -> metadata(res));
                        r.get("/.well-known/oauth-protected-resource" + mc.path(), (req, res) -> metadata(res));
                    }
                })
                .putSocket("admin", s -> s.host(ac.host()).port(ac.port())
                        .maxPayloadSize(Math.max(hc.maxPayloadBytes(), 8L << 20))
                        .maxConcurrentRequests(64)
                        .shutdownGracePeriod(Duration.ofMillis(hc.shutdownGraceMs()))
                        .addProtocol(Http1Config.builder().maxHeadersSize(hc.maxHeaderBytes()).build()))
                .routing("admin", r -> r.get("/health", (req, res) -> res.send("{\"status\":\"UP\"}")))
                .build();
    }

    private Authenticator jwtAuthenticator(GatewayConfig.OAuth oc) {
        if (oc.issuer().isBlank() || oc.jwksFile().isBlank()) {
            throw new GatewayException("oauth.enabled needs oauth.issuer and oauth.jwks-file");
        }
        try {
            return new JwtAuthenticator(oc.issuer(), resourceUrlSupplier(oc), Path.of(oc.jwksFile()), oc.algorithms(),
                    oc.tenantClaim(), oc.scopePrefix(), (int) (oc.clockSkewMs() / 1000));
        } catch (IllegalArgumentException e) {
            throw new GatewayException(e.getMessage(), e);
        }
    }

    private String resourceUrlSupplier(GatewayConfig.OAuth oc) {
        if (oc.audience().isBlank()) {
            throw new GatewayException("oauth.audience must name this server's resource URL (for example "
                    + "https://mcp.example.com/mcp): tokens minted for another server are refused");
        }
        return oc.audience();
    }

    private String metadataUrl() {
        String resource = config.oauth().audience();
        URI u = URI.create(resource);
        return u.getScheme() + "://" + u.getRawAuthority() + "/.well-known/oauth-protected-resource"
                + (u.getRawPath() == null ? "" : u.getRawPath());
    }

    private void metadata(io.helidon.webserver.http.ServerResponse res) {
        GatewayConfig.OAuth oc = config.oauth();
        var m = new ObjectMapper().createObjectNode();
        m.put("resource", oc.audience());
        var servers = m.putArray("authorization_servers");
        (oc.authorizationServers().isEmpty() ? List.of(oc.issuer()) : oc.authorizationServers()).forEach(servers::add);
        m.putArray("bearer_methods_supported").add("header");
        m.putArray("scopes_supported").add(oc.scopePrefix() + "*");
        m.put("resource_name", "Atoll MCP gateway");
        res.header("Content-Type", "application/json");
        res.send(m.toString());
    }

    /** A new builder with the bundled defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The configuration this gateway runs with. */
    public GatewayConfig config() {
        return config;
    }

    /** The MCP listener's port. */
    public int mcpPort() {
        return server.port();
    }

    /** The admin listener's port. */
    public int adminPort() {
        return server.port("admin");
    }

    /** The MCP endpoint URL. */
    public String mcpUrl() {
        return "http://" + urlHost(config.mcp().host()) + ":" + mcpPort() + config.mcp().path();
    }

    /** The admin API base URL. */
    public String adminUrl() {
        return "http://" + urlHost(config.admin().host()) + ":" + adminPort();
    }

    /**
     * Deploys a tool and serves it at once (until the registry lands, every deploy is approved).
     *
     * @param source the tool file
     * @return the catalogue entry
     */
    public CatalogEntry deployApproved(ToolSource source) {
        Tool tool = isolates.deploy(source);
        int version = catalog.snapshot().find(tool.name()).map(e -> e.version() + 1).orElse(1);
        CatalogEntry entry = new CatalogEntry(tool.name(), version, tool.codeDigest(), IsolateBackend.definition(tool),
                isolates, tool);
        catalog.put(entry);
        return entry;
    }

    /** Names of the tools agents can call now, sorted. */
    public List<String> toolNames() {
        return catalog.snapshot().entries().stream().map(CatalogEntry::name).toList();
    }

    private Gateway startServer() {
        if (config.examples().deploy()) {
            Examples.all().forEach(this::deployApproved);
        }
        if (config.examples().conformance()) {
            Examples.conformance().forEach(this::deployApproved);
        }
        try {
            server.start();
        } catch (RuntimeException e) {
            closeQuietly();
            throw new GatewayException("cannot start the gateway: " + e.getMessage(), e);
        }
        return this;
    }

    /** Stops the listeners (in-flight requests get the grace period), then the pool and the runtime. */
    @Override
    public void close() {
        streams.closeAll();
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            if (server.isRunning()) {
                server.stop();
            }
        } finally {
            try {
                pool.close();
            } finally {
                runtime.close();
            }
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new GatewayException("cannot resolve listener host '" + host + "'");
        }
    }

    private static Set<String> lower(List<String> values) {
        Set<String> out = new HashSet<>();
        values.forEach(v -> out.add(v.trim().toLowerCase(Locale.ROOT)));
        return out;
    }

    private static String urlHost(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /** Builds and starts a {@link Gateway}. */
    public static final class Builder {
        private GatewayConfig config = GatewayConfig.defaults();
        private final Map<String, Principal> mcpTokens = new ConcurrentHashMap<>();

        private Builder() {
        }

        /**
         * Sets the configuration.
         *
         * @param config the configuration
         * @return this builder
         */
        public Builder config(GatewayConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Adds an MCP bearer token for a tenant.
         *
         * @param token the token
         * @param tenant the tenant
         * @param tools tool names it may use ({@code "*"} = all)
         * @return this builder
         */
        public Builder mcpToken(String token, String tenant, Set<String> tools) {
            if (token == null || token.length() < 16) {
                throw new IllegalArgumentException("an MCP token must have at least 16 characters");
            }
            mcpTokens.put(token, new Principal(tenant, tools));
            return this;
        }

        /**
         * Builds the gateway and starts its listeners.
         *
         * @return the running gateway
         * @throws GatewayException if it cannot start
         */
        public Gateway start() {
            return new Gateway(this).startServer();
        }
    }

}

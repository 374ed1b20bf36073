package dev.atoll.gateway.internal.wiring;

import dev.atoll.gateway.GatewayConfig;
import dev.atoll.gateway.GatewayException;
import dev.atoll.gateway.ListenerUnavailableException;
import dev.atoll.gateway.dlp.Category;
import dev.atoll.gateway.dlp.Direction;
import dev.atoll.gateway.dlp.DlpEngine;
import dev.atoll.gateway.dlp.DlpException;
import dev.atoll.gateway.dlp.DlpPolicy;
import dev.atoll.gateway.dlp.PolicyRule;
import dev.atoll.gateway.dlp.RulePack;
import dev.atoll.gateway.dlp.ScanLimits;
import dev.atoll.gateway.internal.http.Authenticator;
import dev.atoll.gateway.internal.http.JwtAuthenticator;
import dev.atoll.gateway.upstream.internal.UpstreamManager;
import dev.atoll.host.bindings.EgressInspector;
import dev.atoll.host.bindings.EgressPolicy;
import dev.atoll.host.bindings.FetchBinding;
import dev.atoll.host.bindings.HostBindingsException;
import dev.atoll.isolate.pool.IsolatePool;
import dev.atoll.isolate.pool.PoolObserver;
import dev.atoll.runtime.ToolRuntime;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@link GatewayConfig} onto the settings of the builders it configures. Each method checks its part
 * of the configuration and fails with a {@link GatewayException} naming the key; none starts anything.
 */
public final class ConfigMapping {

    private ConfigMapping() {}

    /**
     * The whole configuration, checked before anything starts (no thread, file, socket or sandbox
     * yet), so a mistake found here leaks nothing.
     *
     * @param config the configuration
     * @return what the later steps need from it
     * @throws GatewayException if a value is wrong or a listener port is taken
     */
    public static Checked check(GatewayConfig config) {
        GatewayConfig.Mcp mc = config.mcp();
        GatewayConfig.Admin ac = config.admin();
        GatewayConfig.OAuth oc = config.oauth();
        requireFree("mcp.port", mc.host(), mc.port()); // a port in use fails the start here
        requireFree("admin.port", ac.host(), ac.port());
        boolean loopback = isLoopback(mc.host());
        if (!mc.requireAuth() && !loopback) {
            throw new GatewayException(
                    "mcp.require-auth: false is allowed only on a loopback listener, not on " + mc.host());
        }
        boolean adminLoopback = isLoopback(ac.host());
        Authenticator jwt = oc.enabled() ? jwtAuthenticator(oc) : token -> Optional.empty();
        Optional<DlpEngine> dlp = config.dlp().enabled() ? Optional.of(dlpEngine(config.dlp())) : Optional.empty();
        EgressPolicy egressPolicy = egressPolicy(config.fetch());
        Map<String, Map<String, String>> secrets = resolveSecrets(config.secrets());
        java.net.URI dockerHost = dockerHost(config.upstreams());
        UpstreamManager.Settings upstreamSettings = upstreamSettings(config.upstreams());
        return new Checked(loopback, adminLoopback, jwt, dlp, egressPolicy, secrets, dockerHost, upstreamSettings);
    }

    /**
     * What {@link #check} derived from the configuration.
     *
     * @param loopback whether the MCP listener is on a loopback address
     * @param adminLoopback whether the admin listener is on a loopback address
     * @param jwt the OAuth bearer-token authenticator (none when {@code oauth.enabled} is off)
     * @param dlp the DLP engine, if {@code dlp.enabled}
     * @param egressPolicy the fetch binding's and upstream proxies' egress policy
     * @param secrets resolved secrets, tool to name to value
     * @param dockerHost the Docker Engine address
     * @param upstreamSettings the upstream supervisor's settings
     */
    public record Checked(
            boolean loopback,
            boolean adminLoopback,
            Authenticator jwt,
            Optional<DlpEngine> dlp,
            EgressPolicy egressPolicy,
            Map<String, Map<String, String>> secrets,
            java.net.URI dockerHost,
            UpstreamManager.Settings upstreamSettings) {}

    /**
     * The runtime's settings ({@code runtime.*}) on a builder.
     *
     * @param rc the runtime section
     * @param rb the builder
     * @return the builder
     */
    public static ToolRuntime.Builder runtime(GatewayConfig.Runtime rc, ToolRuntime.Builder rb) {
        if (rc.guestThreads() > 0) {
            rb.guestThreads(rc.guestThreads());
        }
        if (rc.abandonBudget() > 0) {
            rb.abandonBudget(rc.abandonBudget());
        }
        if (rc.jitWarmUpMs() > 0) {
            rb.jitWarmUp(Duration.ofMillis(rc.jitWarmUpMs()));
        }
        rb.maxStringMb(rc.maxStringMb());
        return rb;
    }

    /**
     * The isolate pool's settings ({@code pool.*}).
     *
     * @param pc the pool section
     * @param runtime the runtime the pool runs on
     * @param observer the pool's observer
     * @return the pool's builder
     */
    public static IsolatePool.Builder pool(GatewayConfig.Pool pc, ToolRuntime runtime, PoolObserver observer) {
        return IsolatePool.builder(runtime)
                .minWarmPerTool(pc.minWarmPerTool())
                .maxWarmPerTool(pc.maxWarmPerTool())
                .maxWarmTotal(pc.maxWarmTotal())
                .toolConcurrency(pc.toolConcurrency())
                .globalConcurrency(pc.globalConcurrency())
                .queueCapacity(pc.queueCapacity())
                .queueDeadline(Duration.ofMillis(pc.queueDeadlineMs()))
                .idleShrinkAfter(Duration.ofMillis(pc.idleShrinkAfterMs()))
                .replenishThreads(pc.replenishThreads())
                .toolShare(pc.toolShare())
                .tenantShare(pc.tenantShare())
                .reserveShare(pc.reserveShare())
                .observer(observer);
    }

    /** The upstream supervisor's settings ({@code upstreams.*}), checked before anything starts. */
    static UpstreamManager.Settings upstreamSettings(GatewayConfig.Upstreams uc) {
        try {
            return UpstreamManager.Settings.builder()
                    .startQuarantined(uc.startQuarantined())
                    .startTimeout(Duration.ofMillis(uc.startTimeoutMs()))
                    .callTimeout(Duration.ofMillis(uc.callTimeoutMs()))
                    .healthInterval(Duration.ofMillis(uc.healthIntervalMs()))
                    .healthTimeout(Duration.ofMillis(uc.healthTimeoutMs()))
                    .restartBackoff(
                            Duration.ofMillis(uc.restartBackoffMinMs()), Duration.ofMillis(uc.restartBackoffMaxMs()))
                    .maxLifetime(Duration.ofMillis(uc.maxLifetimeMs()))
                    .stopGrace(Duration.ofMillis(uc.stopGraceMs()))
                    .maxLineBytes(uc.maxLineBytes())
                    .maxCallNotificationBytes(uc.maxCallNotificationBytes())
                    .maxTools(uc.maxTools())
                    .logLines(uc.logLines())
                    .build();
        } catch (IllegalArgumentException e) {
            throw new GatewayException("upstreams: " + e.getMessage(), e);
        }
    }

    /** The Docker Engine address ({@code upstreams.docker-host}), checked before anything starts. */
    static java.net.URI dockerHost(GatewayConfig.Upstreams uc) {
        try {
            return java.net.URI.create(uc.dockerHost());
        } catch (IllegalArgumentException e) {
            throw new GatewayException("upstreams.docker-host: '" + uc.dockerHost() + "' is not a URI", e);
        }
    }

    static EgressPolicy egressPolicy(GatewayConfig.Fetch f) {
        try {
            EgressPolicy.Builder policy = EgressPolicy.builder()
                    .allowHttp(f.allowHttp())
                    .httpsPorts(
                            f.httpsPorts().stream().mapToInt(Integer::intValue).toArray())
                    .httpPorts(
                            f.httpPorts().stream().mapToInt(Integer::intValue).toArray())
                    .maxRedirects(f.maxRedirects());
            f.denyHosts().forEach(policy::denyHost);
            f.allowAddresses().forEach(policy::allowAddress);
            return policy.build();
        } catch (HostBindingsException e) {
            throw new GatewayException("fetch: " + e.getMessage(), e);
        }
    }

    static DlpEngine dlpEngine(GatewayConfig.Dlp d) {
        try {
            DlpPolicy.Builder policy = DlpPolicy.builder().onIncomplete(d.onIncomplete());
            d.defaults()
                    .forEach((direction, byCategory) -> byCategory.forEach(
                            (category, action) -> policy.defaultAction(direction, category, action)));
            d.overrides().forEach(o -> policy.override(override(o)));
            GatewayConfig.DlpLimits l = d.limits();
            DlpEngine.Builder b = DlpEngine.builder()
                    .builtInRules(d.builtinRules())
                    .disableRules(d.disabledRules())
                    .policy(policy.build())
                    .limits(new ScanLimits(
                            l.maxJsonDepth(),
                            l.maxDecodeDepth(),
                            l.maxScanChars(),
                            l.maxDecodedChars(),
                            l.maxFindings()));
            d.rulePacks().forEach(p -> b.addRules(RulePack.read(Path.of(p))));
            if (!d.hashKey().isBlank()) {
                b.hashKey(java.util.Base64.getDecoder().decode(d.hashKey()));
            }
            return b.build();
        } catch (DlpException | IllegalArgumentException e) {
            throw new GatewayException("dlp: " + e.getMessage(), e);
        }
    }

    private static PolicyRule override(GatewayConfig.DlpOverride o) {
        PolicyRule.Builder r = PolicyRule.builder(o.action());
        if (!o.tenant().isEmpty()) {
            r.tenant(o.tenant());
        }
        if (!o.tool().isEmpty()) {
            r.tool(o.tool());
        }
        if (!o.directions().isEmpty()) {
            r.directions(o.directions().toArray(Direction[]::new));
        }
        if (!o.categories().isEmpty()) {
            r.categories(o.categories().toArray(Category[]::new));
        }
        if (!o.rules().isEmpty()) {
            r.rules(o.rules().toArray(String[]::new));
        }
        return r.minSeverity(o.minSeverity()).build();
    }

    /**
     * The fetch binding ({@code fetch.*}) with the checked policy and secrets.
     *
     * @param f the fetch section
     * @param policy the egress policy
     * @param secrets resolved secrets, tool to name to value
     * @param inspector the DLP egress inspector, if DLP is on
     * @return the binding
     */
    public static FetchBinding fetchBinding(
            GatewayConfig.Fetch f,
            EgressPolicy policy,
            Map<String, Map<String, String>> secrets,
            Optional<EgressInspector> inspector) {
        try {
            FetchBinding.Builder fb = FetchBinding.builder();
            inspector.ifPresent(fb::inspector);
            return fb.policy(policy)
                    .secrets((tool, name) -> Optional.ofNullable(
                            secrets.getOrDefault(tool, Map.of()).get(name)))
                    .maxRequestsPerCall(f.maxRequestsPerCall())
                    .maxResponseBytes(f.maxResponseBytes())
                    .maxResponseBytesPerCall(f.maxResponseBytesPerCall())
                    .maxRequestBodyBytes(f.maxRequestBodyBytes())
                    .requestTimeout(Duration.ofMillis(f.requestTimeoutMs()))
                    .connectTimeout(Duration.ofMillis(f.connectTimeoutMs()))
                    .build();
        } catch (HostBindingsException e) {
            throw new GatewayException("fetch: " + e.getMessage(), e);
        }
    }

    /** Reads {@code env:} and {@code file:} secret references once, at start. Values are never logged. */
    static Map<String, Map<String, String>> resolveSecrets(Map<String, Map<String, String>> raw) {
        Map<String, Map<String, String>> out = new java.util.HashMap<>();
        raw.forEach((tool, values) -> {
            Map<String, String> resolved = new java.util.HashMap<>();
            values.forEach((name, ref) -> {
                String value;
                if (ref.startsWith("env:")) {
                    value = System.getenv(ref.substring(4));
                    if (value == null) {
                        throw new GatewayException("secrets." + tool + "." + name + ": environment variable "
                                + ref.substring(4) + " is not set");
                    }
                } else if (ref.startsWith("file:")) {
                    try {
                        value = java.nio.file.Files.readString(Path.of(ref.substring(5)))
                                .strip();
                    } catch (java.io.IOException e) {
                        throw new GatewayException(
                                "secrets." + tool + "." + name + ": cannot read " + ref.substring(5));
                    }
                } else {
                    value = ref;
                }
                resolved.put(name, value);
            });
            out.put(tool, Map.copyOf(resolved));
        });
        return Map.copyOf(out);
    }

    static Authenticator jwtAuthenticator(GatewayConfig.OAuth oc) {
        if (oc.issuer().isBlank() || oc.jwksFile().isBlank()) {
            throw new GatewayException("oauth.enabled needs oauth.issuer and oauth.jwks-file");
        }
        try {
            return new JwtAuthenticator(
                    oc.issuer(),
                    resourceUrlSupplier(oc),
                    Path.of(oc.jwksFile()),
                    oc.algorithms(),
                    oc.tenantClaim(),
                    oc.scopePrefix(),
                    (int) (oc.clockSkewMs() / 1000));
        } catch (IllegalArgumentException e) {
            // String.valueOf: a message that is null reads "null" where it is printed, as before
            throw new GatewayException(String.valueOf(e.getMessage()), e);
        }
    }

    private static String resourceUrlSupplier(GatewayConfig.OAuth oc) {
        if (oc.audience().isBlank()) {
            throw new GatewayException("oauth.audience must name this server's resource URL (for example "
                    + "https://mcp.example.com/mcp): tokens minted for another server are refused");
        }
        return oc.audience();
    }

    /** Fails with {@link ListenerUnavailableException} when {@code host:port} cannot be bound now. */
    private static void requireFree(String key, String host, int port) {
        if (port == 0) {
            return;
        }
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new java.net.InetSocketAddress(InetAddress.getByName(host), port));
        } catch (UnknownHostException e) {
            throw new GatewayException(
                    "cannot resolve listener host '" + host + "' (" + key.replace("port", "host") + ")");
        } catch (java.io.IOException e) {
            throw new ListenerUnavailableException(
                    key,
                    host,
                    port,
                    e.getMessage() == null ? "address in use" : e.getMessage().toLowerCase(Locale.ROOT));
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new GatewayException("cannot resolve listener host '" + host + "'");
        }
    }

    /**
     * Trimmed, lower-case copies of {@code values} (host names, origins).
     *
     * @param values the values
     * @return the lower-case set
     */
    public static Set<String> lower(List<String> values) {
        Set<String> out = new HashSet<>();
        values.forEach(v -> out.add(v.trim().toLowerCase(Locale.ROOT)));
        return out;
    }
}

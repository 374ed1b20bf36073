package dev.atoll.gateway;

import dev.atoll.gateway.backend.CatalogEntry;
import dev.atoll.gateway.backend.HeaderAnnotations;
import dev.atoll.gateway.backend.ToolBundle;
import dev.atoll.gateway.dlp.DlpEgressInspector;
import dev.atoll.gateway.dlp.DlpEngine;
import dev.atoll.gateway.internal.admin.AdminEvents;
import dev.atoll.gateway.internal.catalog.IsolateBackend;
import dev.atoll.gateway.internal.catalog.IsolateFeatures;
import dev.atoll.gateway.internal.catalog.UpstreamFeatures;
import dev.atoll.gateway.internal.http.Caller;
import dev.atoll.gateway.internal.lifecycle.FleetHeartbeat;
import dev.atoll.gateway.internal.lifecycle.HealthHttp;
import dev.atoll.gateway.internal.lifecycle.Readiness;
import dev.atoll.gateway.internal.lifecycle.Resources;
import dev.atoll.gateway.internal.logs.LoggedRegistry;
import dev.atoll.gateway.internal.logs.ServerLog;
import dev.atoll.gateway.internal.mcp.JsonRpc;
import dev.atoll.gateway.internal.mcp.McpHttp;
import dev.atoll.gateway.internal.mcp.McpService;
import dev.atoll.gateway.internal.mcp.ServedTools;
import dev.atoll.gateway.internal.mcp.Streams;
import dev.atoll.gateway.internal.mcp.ToolSearch;
import dev.atoll.gateway.internal.metrics.CallHistory;
import dev.atoll.gateway.internal.metrics.GatewayMetrics;
import dev.atoll.gateway.internal.metrics.UpstreamObservers;
import dev.atoll.gateway.internal.pipeline.AuditStage;
import dev.atoll.gateway.internal.pipeline.BackendDispatch;
import dev.atoll.gateway.internal.pipeline.Call;
import dev.atoll.gateway.internal.pipeline.CallHandler;
import dev.atoll.gateway.internal.pipeline.DlpAudit;
import dev.atoll.gateway.internal.pipeline.DlpStage;
import dev.atoll.gateway.internal.pipeline.ErrorGuard;
import dev.atoll.gateway.internal.pipeline.ObserveStage;
import dev.atoll.gateway.internal.tail.FleetTail;
import dev.atoll.gateway.internal.tail.TailBus;
import dev.atoll.gateway.internal.tail.UpstreamEvents;
import dev.atoll.gateway.internal.wiring.AdminRoutes;
import dev.atoll.gateway.internal.wiring.Bundles;
import dev.atoll.gateway.internal.wiring.CatalogueSync;
import dev.atoll.gateway.internal.wiring.ConfigMapping;
import dev.atoll.gateway.internal.wiring.Gauges;
import dev.atoll.gateway.internal.wiring.Isolates;
import dev.atoll.gateway.internal.wiring.Listeners;
import dev.atoll.gateway.internal.wiring.McpEndpoint;
import dev.atoll.gateway.internal.wiring.RegistryStart;
import dev.atoll.gateway.internal.wiring.Schedules;
import dev.atoll.gateway.internal.wiring.StartupTokens;
import dev.atoll.gateway.internal.wiring.SubscriptionAudit;
import dev.atoll.gateway.internal.wiring.Upstreams;
import dev.atoll.gateway.registry.Actor;
import dev.atoll.gateway.registry.DeployResult;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.TokenKind;
import dev.atoll.gateway.registry.ToolDefinition;
import dev.atoll.gateway.upstream.internal.UpstreamBackend;
import dev.atoll.gateway.upstream.internal.UpstreamManager;
import dev.atoll.gateway.upstream.internal.UpstreamObserver;
import dev.atoll.host.bindings.EgressInspector;
import dev.atoll.host.bindings.FetchBinding;
import dev.atoll.isolate.pool.IsolatePool;
import dev.atoll.runtime.InvalidToolException;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolRuntime;
import dev.atoll.runtime.ToolSource;
import io.helidon.webserver.WebServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The Atoll gateway: the MCP endpoint and the admin API on two Helidon listeners, in front of the
 * catalogue and the isolate pool. Built by {@link #builder()}, started by {@link Builder#start()},
 * stopped by {@link #close()} (in-flight calls finish within the configured grace period).
 *
 * <p>This class is the composition: the configuration is checked first ({@link ConfigMapping}), then
 * each part is started by its factory in {@code internal.wiring} and pushed on one closer stack.
 */
public final class Gateway implements AutoCloseable {

    /** The version reported in {@code serverInfo}. */
    public static final String VERSION = dev.atoll.gateway.backend.AtollVersion.VALUE;

    private static final Logger LOG = Logger.getLogger(Gateway.class.getName());

    /** Everything this gateway started, closed in reverse by {@link #close()} or by a failed start. */
    private final Resources resources = new Resources();

    private final GatewayConfig config;
    private final Optional<DlpEngine> dlp;
    private final Optional<GatewayMetrics> metrics;
    private final ServerLog serverLog;
    private final Registry registry;
    private final DlpAudit dlpAudit;
    private final ToolRuntime runtime;
    private final IsolatePool pool;
    private final ServedTools catalog;
    private final IsolateBackend isolates;
    private final UpstreamManager upstreams;
    private final UpstreamBackend upstreamBackend;
    private final UpstreamFeatures upstreamFeatures;
    private final CallHandler pipeline;
    private final Streams streams;
    private final McpService mcp;
    private final CatalogueSync sync;
    private final WebServer server;
    private final Readiness readiness;
    /** Set once the catalogue was read from the registry and served (readiness). */
    private volatile boolean catalogueLoaded;
    /** The live tail: finished calls and admin events (docs/ui.md). */
    private final TailBus tail;

    private final AdminEvents events;
    /** This node's calls over the last hour, for the web UI's overview. */
    private final CallHistory callStats;

    private final Schedules schedules;
    private final StartupTokens startupTokens;
    private volatile boolean closing;

    // The fleet (docs/fleet.md): this node's id and its heartbeat.
    private final String nodeId;
    private final java.time.Instant startedAt = java.time.Instant.now();
    private final FleetHeartbeat heartbeat;

    private Gateway(Builder b) {
        this.config = b.config;
        GatewayConfig.Mcp mc = config.mcp();
        GatewayConfig.Http hc = config.http();
        GatewayConfig.Metrics mx = config.metrics();

        // 1. The whole configuration is checked before anything starts (no thread, file, socket or
        //    sandbox yet), so a mistake found here leaks nothing.
        ConfigMapping.Checked checked = ConfigMapping.check(config);
        this.dlp = checked.dlp();
        this.nodeId = config.node().effectiveId();
        GatewayConfig.Tail tc = config.tail();
        this.tail = new TailBus(tc.queueEvents(), tc.maxSubscribers(), tc.recentCalls());
        this.events = new AdminEvents(tail, nodeId);

        // 2. Start, pushing each resource on the stack as soon as it runs; a failure closes the stack.
        try {
            this.metrics = mx.enabled()
                    ? Optional.of(resources.push(
                            "metrics", new GatewayMetrics(mx.jvm(), mx.maxTools(), mx.maxTenants(), mx.maxUpstreams())))
                    : Optional.empty();
            this.serverLog = new ServerLog(dlp, nodeId);
            // Every successful mutation, whoever makes it, is one server log line (docs/gateway.md#logs).
            this.registry = LoggedRegistry.wrap(resources.push("registry", RegistryStart.open(config)), serverLog);
            this.dlpAudit = new DlpAudit(registry.audit(), metrics);
            Optional<EgressInspector> inspector =
                    dlp.map(engine -> timed(DlpEgressInspector.create(engine, "gateway", dlpAudit::accept)));
            FetchBinding fetch = resources.push(
                    "fetch binding",
                    ConfigMapping.fetchBinding(config.fetch(), checked.egressPolicy(), checked.secrets(), inspector));
            Isolates started = Isolates.start(config, resources, fetch, metrics, this::suspendTool);
            this.runtime = started.runtime();
            this.pool = started.pool();
            this.catalog = new ServedTools();
            metrics.ifPresent(m -> Gauges.register(m, catalog, started, registry));
            // The overview reads the node's own meters (what /metrics exports), sampled every 5 s.
            this.callStats = new CallHistory(
                    System::currentTimeMillis,
                    () -> metrics.map(GatewayMetrics::callTotals).orElse(CallHistory.Totals.ZERO),
                    Duration.ofSeconds(5));
            this.isolates = new IsolateBackend(pool, started.breaker());
            this.upstreams = resources
                    .push(
                            "upstream servers",
                            Upstreams.manager(
                                    config, checked, resources, registry, dlpAudit, this::syncCatalogue, this::timed))
                    .observer(upstreamObservers());
            this.upstreamBackend = new UpstreamBackend(upstreams);
            this.upstreamFeatures = new UpstreamFeatures(upstreams::feature);
            upstreams.onResourceUpdated(upstreamFeatures::resourceUpdated);
            this.pipeline = pipeline();
            JsonRpc rpc = new JsonRpc(hc.maxJsonDepth(), (int) Math.min(Integer.MAX_VALUE, hc.maxPayloadBytes()));
            this.streams = new Streams(mc.maxStreams());
            this.mcp = new McpService(
                    new McpService.Settings(
                            "atoll",
                            VERSION,
                            mc.pageSize(),
                            Duration.ofMillis(mc.sessionIdleMs()),
                            mc.maxSessions(),
                            Duration.ofMillis(mc.listTtlMs())),
                    catalog,
                    (principal, entry, arguments, context) ->
                            pipeline.handle(new Call(principal, entry, context), arguments),
                    rpc,
                    streams,
                    toolSearch(mc.toolSearch()),
                    List.of(new IsolateFeatures(catalog), upstreamFeatures));
            mcp.onSubscriptionChange(SubscriptionAudit.to(registry.audit()));
            this.sync = new CatalogueSync(
                    registry,
                    config.node().region(),
                    catalog,
                    isolates,
                    upstreams,
                    upstreamBackend,
                    upstreamFeatures,
                    mcp::featuresChanged,
                    events);
            this.heartbeat = resources.push(
                    "fleet heartbeat",
                    new FleetHeartbeat(
                            registry.fleet(),
                            new FleetHeartbeat.Source(
                                    nodeId,
                                    config.node().region(),
                                    VERSION,
                                    startedAt,
                                    this::fleetReady,
                                    sync::servedRevision,
                                    () -> metrics.map(GatewayMetrics::callsTotal)
                                            .orElse(0L),
                                    () -> metrics.map(GatewayMetrics::coldStartsTotal)
                                            .orElse(0L)),
                            Duration.ofMillis(config.fleet().heartbeatMs())));
            resources.onClose("catalogue sync", sync::close); // before the heartbeat and the registry
            this.readiness = new Readiness(
                    new Readiness.Check("catalogue", () -> catalogueLoaded),
                    new Readiness.Check("pools", this::poolsFilled),
                    new Readiness.Check("warm-up", runtime::warmedUp));
            GatewayConfig.Node node = config.node();
            HealthHttp health = new HealthHttp(readiness, rpc.mapper(), node.effectiveId(), node.region());
            McpHttp endpoint =
                    McpEndpoint.create(config, checked, mcp, rpc.mapper(), Map.copyOf(b.mcpTokens), registry);
            this.server = Listeners.server(
                    config,
                    checked.adminLoopback(),
                    health,
                    endpoint,
                    new AdminRoutes(
                            config,
                            registry,
                            this::deploy,
                            this::syncCatalogue,
                            rpc.mapper(),
                            runtime,
                            upstreams,
                            catalog,
                            upstreamBackend,
                            metrics,
                            nodeId,
                            tail,
                            callStats,
                            this::tailPeers,
                            events,
                            () -> closing));
            this.schedules = new Schedules(config, registry);
            this.startupTokens = new StartupTokens(registry);
            // Closed after the listeners stop and before the upstream servers: the last head, so a
            // checkpoint covers every record of this run.
            resources.onClose("audit checkpoints", schedules::lastCheckpoint);
            resources.onClose("listeners", () -> {
                if (server.isRunning()) {
                    server.stop();
                }
            });
        } catch (RuntimeException | Error e) {
            resources.closeAfter(e);
            throw e;
        }
    }

    /**
     * The call path of every {@code tools/call}, outermost stage first: the observer (meters, call log
     * and live tail, from one timing), audit (one durable record per answered call), the guard that
     * answers a gateway failure with an internal error, DLP (arguments in, result and logs out), and the
     * tool's own backend. A new concern (a rate limit, a region check) is one more stage here.
     */
    private CallHandler pipeline() {
        CallHandler handler = new BackendDispatch();
        if (dlp.isPresent()) {
            handler = new DlpStage(dlp.get(), dlpAudit, metrics, handler);
        }
        handler = new ErrorGuard(handler);
        handler = new AuditStage(registry.audit(), config.audit().failOpen(), metrics, handler);
        // One observer times and labels the call once for the meters, the call log and the live tail.
        handler = new ObserveStage(
                metrics,
                config.log().calls() ? Optional.of(serverLog) : Optional.empty(),
                tail,
                nodeId,
                config.tail().consoleChars(),
                this::backendKind,
                handler);
        return handler;
    }

    /** The {@code backend} label of a call: {@code isolate}, {@code upstream} or {@code gateway} (its own retrieve_tools). */
    private String backendKind(dev.atoll.gateway.backend.CatalogEntry e) {
        return e.backend() == isolates
                ? "isolate"
                : e.backend() == upstreamBackend || e.backend() == upstreamFeatures ? "upstream" : "gateway";
    }

    /** Who hears of upstream changes, as they happen: the meters, the server log, the live tail. */
    private UpstreamObserver upstreamObservers() {
        UpstreamEvents events =
                new UpstreamEvents(tail, nodeId, name -> upstreams.status(name).restarts(), serverLog::safeText);
        return metrics.<UpstreamObserver>map(m -> new UpstreamObservers(m, serverLog, events))
                .orElse(new UpstreamObservers(serverLog, events));
    }

    /** An egress inspector, timed in {@code atoll_dlp_scan_seconds} when metrics are on. */
    private EgressInspector timed(EgressInspector inspector) {
        return metrics.<EgressInspector>map(
                        m -> new dev.atoll.gateway.internal.metrics.TimedEgressInspector(inspector, m))
                .orElse(inspector);
    }

    /** The {@code retrieve_tools} index over the catalogue, if {@code mcp.tool-search.enabled}. */
    private Optional<McpService.ToolSearchSettings> toolSearch(GatewayConfig.ToolSearch t) {
        return t.enabled()
                ? Optional.of(new McpService.ToolSearchSettings(
                        resources.push("tool search", new ToolSearch(catalog)), t.defaultResults(), t.maxResults()))
                : Optional.empty();
    }

    /** "Ready" in the fleet heartbeat: what {@code /readyz} answers. */
    private boolean fleetReady() {
        return readiness != null && readiness.state() == Readiness.State.READY;
    }

    /** This node's id in the fleet ({@code node.id}, or the host name). */
    public String nodeId() {
        return nodeId;
    }

    /** The live tail (tests). */
    TailBus tailBus() {
        return tail;
    }

    /** The upstream supervisor (status, logs; tests). */
    UpstreamManager upstreamManager() {
        return upstreams;
    }

    /** Names of the tools agents can call now, sorted. */
    public List<String> toolNames() {
        return catalog.snapshot().entries().stream().map(CatalogEntry::name).toList();
    }

    /** Starts serving; a failure on the way closes everything started so far. */
    private Gateway startServer() {
        try {
            serve();
            return this;
        } catch (RuntimeException | Error e) {
            resources.closeAfter(e);
            throw e;
        }
    }

    private void serve() {
        boolean empty = registry.list().isEmpty();
        if (config.examples().deploy() && empty) {
            Bundles.tools(ToolBundle.EXAMPLES).forEach(this::deployApproved);
        }
        if (config.examples().conformance()) {
            Bundles.tools(ToolBundle.CONFORMANCE).forEach(this::deployApproved);
        }
        syncCatalogue();
        catalogueLoaded = true;
        sync.listen(heartbeat::soon);
        upstreams.start();
        try {
            server.start();
        } catch (RuntimeException e) {
            throw new GatewayException("cannot start the gateway: " + e.getMessage(), e);
        }
        // Helidon logs a failed bind and carries on with port -1 (a race lost after requireFree).
        if (server.port() < 0 || server.port("admin") < 0) {
            boolean mcpFailed = server.port() < 0;
            throw new ListenerUnavailableException(
                    mcpFailed ? "mcp.port" : "admin.port",
                    mcpFailed ? config.mcp().host() : config.admin().host(),
                    mcpFailed ? config.mcp().port() : config.admin().port(),
                    "the listener did not start");
        }
        // Tokens only once the listeners run: a failed start mints nothing.
        startupTokens.ensure(TokenKind.MCP, "ATOLL_MCP_TOKEN");
        startupTokens.ensure(TokenKind.ADMIN, "ATOLL_ADMIN_TOKEN");
        heartbeat.start();
        schedules.start(callStats, this::advertiseAdmin);
        readiness.started();
    }

    /**
     * Whether every served isolate tool has its minimum of warm contexts ({@code pool.min-warm-per-tool},
     * or the smaller size the pool fills towards): calls in flight count as warm, since they took one.
     */
    private boolean poolsFilled() {
        int min = config.pool().minWarmPerTool();
        return pool.stats().tools().stream().allMatch(t -> t.warm() + t.running() >= Math.min(min, t.target()));
    }

    /**
     * Whether this node is ready for traffic ({@code GET /readyz} answers 200): the catalogue is
     * loaded, the pools are filled and the JIT warm-up is over, and it is not draining.
     *
     * @return whether ready
     */
    public boolean isReady() {
        return readiness.state() == Readiness.State.READY;
    }

    /** Whether the JIT warm-up still runs (tests). */
    boolean warmingUp() {
        return !runtime.warmedUp();
    }

    /**
     * Stops the node gracefully (SIGTERM): {@code /readyz} answers 503 at once, new calls are still
     * taken for {@code http.drain-delay-ms} so that load balancers notice and stop sending, then the
     * listeners close and in-flight calls finish (within {@code http.shutdown-grace-ms}), then
     * everything else stops as in {@link #close()}.
     */
    public void drainAndClose() {
        readiness.drain();
        long delay = config.http().drainDelayMs();
        LOG.info("draining: not ready; taking calls for " + delay + " ms more, then stopping");
        try {
            Thread.sleep(delay); // the point of the delay is to wait: load balancers poll /readyz
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    /** Stops the listeners (in-flight requests get the grace period), then the pool and the runtime. */
    @Override
    public void close() {
        readiness.drain();
        closing = true;
        streams.closeAll();
        resources.close();
    }

    /** The other live nodes of the fleet and their admin URLs (the fleet-wide tail's peers). */
    private List<FleetTail.Peer> tailPeers() {
        Map<String, java.net.URI> urls = registry.adminEndpoints().all();
        return registry.fleet().nodes(Duration.ofMillis(config.fleet().staleAfterMs())).stream()
                .filter(n -> !n.stale()
                        && !n.beat().id().equals(nodeId)
                        && urls.containsKey(n.beat().id()))
                // urls has the node (filtered above) and holds no null URL
                .map(n -> new FleetTail.Peer(
                        n.beat().id(), Objects.requireNonNull(urls.get(n.beat().id()))))
                .toList();
    }

    private volatile boolean advertiseFailing;

    /**
     * Writes this node's admin URL to the registry: {@code node.admin-url} when set, else
     * {@code http://<admin.host>:<port>}, with this machine's host name when the admin listener binds a
     * wildcard address.
     */
    private void advertiseAdmin() {
        try {
            if (!config.node().adminUrl().isEmpty()) {
                registry.adminEndpoints()
                        .advertise(nodeId, java.net.URI.create(config.node().adminUrl()));
                advertiseFailing = false;
                return;
            }
            String host = config.admin().host();
            if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
                host = java.net.InetAddress.getLocalHost().getHostName();
            }
            registry.adminEndpoints()
                    .advertise(nodeId, java.net.URI.create("http://" + urlHost(host) + ":" + adminPort()));
            advertiseFailing = false;
        } catch (RuntimeException | java.net.UnknownHostException e) {
            if (!advertiseFailing) {
                LOG.log(
                        java.util.logging.Level.WARNING,
                        "cannot advertise this node's admin URL (the fleet-wide tail"
                                + " will not reach it until it can)",
                        e);
            }
            advertiseFailing = true;
        }
    }

    private static String urlHost(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
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
        return "http://" + urlHost(config.mcp().host()) + ":" + mcpPort()
                + config.mcp().path();
    }

    /** The admin API base URL. */
    public String adminUrl() {
        return "http://" + urlHost(config.admin().host()) + ":" + adminPort();
    }

    /**
     * Deploys a tool and approves it as the system (bundled examples, tests): it is served at once.
     *
     * @param source the tool file
     * @return the catalogue entry
     */
    public CatalogEntry deployApproved(ToolSource source) {
        DeployResult r = deploy(source, Actor.SYSTEM);
        registry.approve(r.version().name(), r.version().version(), Actor.SYSTEM);
        syncCatalogue();
        return catalog.snapshot().find(r.version().name()).orElseThrow();
    }

    /**
     * Deploys a tool file as a new quarantined version (or finds the identical existing one): the
     * file is loaded in the runtime first, so a tool that cannot load is refused with its error.
     *
     * @param source the tool file
     * @param actor who deploys
     * @return the version
     * @throws InvalidToolException if the tool does not load
     */
    public DeployResult deploy(ToolSource source, Actor actor) {
        Tool tool = runtime.load(source);
        List<String> headerProblems = HeaderAnnotations.problems(tool.manifest().inputSchema());
        if (!headerProblems.isEmpty()) {
            throw new InvalidToolException("tool " + tool.name() + ": MCP clients would hide this" + " tool: "
                    + String.join("; ", headerProblems));
        }
        DeployResult r = registry.deploy(ToolDefinition.of(source, tool.manifest()), actor);
        if (r.created()) {
            events.publish(
                    "tool.deploy",
                    r.version().name(),
                    actor.id(),
                    "v" + r.version().version() + " quarantined");
        }
        return r;
    }

    /** The registry (tools, tokens, audit log). */
    public Registry registry() {
        return registry;
    }

    /**
     * Tokens created at this start (first start: the generated MCP and admin tokens), kind to
     * plaintext, to print once.
     *
     * @return the tokens
     */
    public Map<String, String> startupTokens() {
        return startupTokens.minted();
    }

    /** The circuit breaker's action (see {@link CatalogueSync#suspendTool}). */
    private void suspendTool(String name, String digest, String reason) {
        sync.suspendTool(name, digest, reason);
    }

    /** Rebuilds the served catalogue from the registry's approved, enabled versions. */
    void syncCatalogue() {
        sync.sync();
    }

    /** Builds and starts a {@link Gateway}. */
    public static final class Builder {
        private GatewayConfig config = GatewayConfig.defaults();
        private final Map<String, Caller> mcpTokens = new ConcurrentHashMap<>();

        private Builder() {}

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
            mcpTokens.put(token, new Caller(tenant, tools, "builder:" + tenant));
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

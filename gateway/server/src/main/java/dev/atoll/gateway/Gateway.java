package dev.atoll.gateway;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.audit.AuditAction;
import dev.atoll.gateway.audit.internal.AuditLogImpl;
import dev.atoll.gateway.backend.CatalogEntry;
import dev.atoll.gateway.dlp.Action;
import dev.atoll.gateway.dlp.Category;
import dev.atoll.gateway.dlp.Direction;
import dev.atoll.gateway.dlp.DlpEgressInspector;
import dev.atoll.gateway.dlp.DlpEngine;
import dev.atoll.gateway.dlp.DlpException;
import dev.atoll.gateway.dlp.DlpPolicy;
import dev.atoll.gateway.dlp.PolicyRule;
import dev.atoll.gateway.dlp.RulePack;
import dev.atoll.gateway.dlp.ScanLimits;
import dev.atoll.gateway.dlp.Severity;
import dev.atoll.gateway.internal.admin.AdminHttp;
import dev.atoll.gateway.internal.admin.UpstreamAdminHttp;
import dev.atoll.gateway.internal.catalog.Catalog;
import dev.atoll.gateway.internal.catalog.IsolateBackend;
import dev.atoll.gateway.internal.http.Authenticator;
import dev.atoll.gateway.internal.http.JwtAuthenticator;
import dev.atoll.gateway.internal.http.ConnectionClose;
import dev.atoll.gateway.internal.http.OriginGuard;
import dev.atoll.gateway.internal.http.Caller;
import dev.atoll.gateway.internal.lifecycle.HealthHttp;
import dev.atoll.gateway.internal.lifecycle.Readiness;
import dev.atoll.gateway.internal.lifecycle.Resources;
import dev.atoll.gateway.backend.HeaderAnnotations;
import dev.atoll.gateway.backend.ToolBundle;
import dev.atoll.gateway.internal.mcp.JsonRpc;
import dev.atoll.gateway.internal.mcp.McpHttp;
import dev.atoll.gateway.internal.mcp.McpService;
import dev.atoll.gateway.internal.mcp.Streams;
import dev.atoll.gateway.internal.logs.LoggedRegistry;
import dev.atoll.gateway.internal.logs.ServerLog;
import dev.atoll.gateway.internal.metrics.GatewayMetrics;
import dev.atoll.gateway.internal.metrics.UpstreamObservers;
import dev.atoll.gateway.internal.metrics.MetricsHttp;
import dev.atoll.gateway.internal.pipeline.AuditStage;
import dev.atoll.gateway.internal.pipeline.BackendDispatch;
import dev.atoll.gateway.internal.pipeline.Call;
import dev.atoll.gateway.internal.pipeline.CallHandler;
import dev.atoll.gateway.internal.pipeline.DlpAudit;
import dev.atoll.gateway.internal.pipeline.DlpStage;
import dev.atoll.gateway.internal.pipeline.ErrorGuard;
import dev.atoll.gateway.internal.pipeline.ObserveStage;
import dev.atoll.gateway.internal.admin.TailHttp;
import dev.atoll.gateway.internal.tail.FleetTail;
import dev.atoll.gateway.internal.tail.TailBus;
import dev.atoll.gateway.internal.metrics.CallHistory;
import dev.atoll.gateway.internal.admin.UiHttp;
import dev.atoll.gateway.internal.tail.TailEvent;
import dev.atoll.gateway.internal.tail.UpstreamEvents;
import dev.atoll.gateway.internal.catalog.ToolBreaker;
import dev.atoll.gateway.internal.catalog.ToolSearch;
import dev.atoll.gateway.registry.Actor;
import dev.atoll.runtime.RuntimeObserver;
import dev.atoll.gateway.registry.Catalogue;
import dev.atoll.gateway.registry.DeployResult;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.ServingTool;
import dev.atoll.gateway.registry.TokenKind;
import dev.atoll.gateway.registry.ToolDefinition;
import dev.atoll.gateway.registry.SandboxKind;
import dev.atoll.gateway.upstream.internal.BubblewrapLauncher;
import dev.atoll.gateway.upstream.internal.DockerLauncher;
import dev.atoll.gateway.upstream.internal.EgressProxy;
import dev.atoll.gateway.upstream.internal.UpstreamBackend;
import dev.atoll.gateway.upstream.internal.UpstreamManager;
import dev.atoll.gateway.upstream.internal.UpstreamObserver;
import dev.atoll.gateway.upstream.spi.SandboxLauncher;
import dev.atoll.host.bindings.EgressInspector;
import dev.atoll.host.bindings.EgressPolicy;
import dev.atoll.host.bindings.FetchBinding;
import dev.atoll.host.bindings.HostBindingsException;
import dev.atoll.host.bindings.Resolver;
import dev.atoll.isolate.pool.IsolatePool;
import dev.atoll.isolate.pool.PoolObserver;
import dev.atoll.runtime.InvalidToolException;
import dev.atoll.runtime.ToolManifest;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolRuntime;
import dev.atoll.runtime.ToolSource;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Atoll gateway: the MCP endpoint and the admin API on two Helidon listeners, in front of the
 * catalogue and the isolate pool. Built by {@link #builder()}, started by {@link Builder#start()},
 * stopped by {@link #close()} (in-flight calls finish within the configured grace period).
 */
public final class Gateway implements AutoCloseable {

    /** The version reported in {@code serverInfo}. */
    public static final String VERSION = dev.atoll.gateway.backend.AtollVersion.VALUE;

    private static final Logger LOG = Logger.getLogger(Gateway.class.getName());

    private final java.util.concurrent.ScheduledExecutorService checkpointer =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("atoll-audit-checkpoint").daemon(true).factory());

    /** Everything this gateway started, closed in reverse by {@link #close()} or by a failed start. */
    private final Resources resources = new Resources();
    private final GatewayConfig config;
    private final Optional<DlpEngine> dlp;
    private final Optional<GatewayMetrics> metrics;
    private final ServerLog serverLog;
    private final Registry registry;
    private final DlpAudit dlpAudit;
    private final FetchBinding fetch;
    private final ToolBreaker breaker;
    private final ToolRuntime runtime;
    private final IsolatePool pool;
    private final Catalog catalog;
    private final IsolateBackend isolates;
    private final UpstreamManager upstreams;
    private final UpstreamBackend upstreamBackend;
    private final dev.atoll.gateway.internal.catalog.UpstreamFeatures upstreamFeatures;
    private final CallHandler pipeline;
    private final Streams streams;
    private final McpService mcp;
    private final WebServer server;
    private final Readiness readiness;
    /** Set once the catalogue was read from the registry and served (readiness). */
    private volatile boolean catalogueLoaded;
    /** The live tail: finished calls and admin events (docs/ui.md). */
    private final TailBus tail;
    /** This node's calls over the last hour, for the web UI's overview. */
    private final CallHistory callStats;
    private volatile boolean closing;

    private final Map<String, String> startupTokens = new java.util.LinkedHashMap<>();

    // The fleet (docs/fleet.md): this node's id, the revision its catalogue was built from, its heartbeat.
    private final String nodeId;
    private final java.time.Instant startedAt = java.time.Instant.now();
    private volatile long servedRevision = -1;
    private final dev.atoll.gateway.internal.lifecycle.FleetHeartbeat heartbeat;
    /**
     * Catalogue changes are acted on here, off the registry's notifying thread (which holds the
     * registry's catalogue lock: rebuilding there while another thread in {@link #syncCatalogue}
     * waits for that lock would deadlock). Changes that arrive while one is pending coalesce.
     */
    private final java.util.concurrent.ExecutorService catalogueWork = java.util.concurrent.Executors
            .newSingleThreadExecutor(Thread.ofPlatform().name("atoll-catalogue-sync").daemon(true).factory());
    private final java.util.concurrent.atomic.AtomicBoolean catalogueMovePending =
            new java.util.concurrent.atomic.AtomicBoolean();

    private Gateway(Builder b) {
        this.config = b.config;
        GatewayConfig.Mcp mc = config.mcp();
        GatewayConfig.Admin ac = config.admin();
        GatewayConfig.Http hc = config.http();
        GatewayConfig.OAuth oc = config.oauth();
        GatewayConfig.Metrics mx = config.metrics();
        GatewayConfig.Runtime rc = config.runtime();

        // 1. The whole configuration is checked before anything starts (no thread, file, socket or
        //    sandbox yet), so a mistake found here leaks nothing.
        requireFree("mcp.port", mc.host(), mc.port()); // a port in use fails the start here
        requireFree("admin.port", ac.host(), ac.port());
        boolean loopback = isLoopback(mc.host());
        if (!mc.requireAuth() && !loopback) {
            throw new GatewayException("mcp.require-auth: false is allowed only on a loopback listener, not on "
                    + mc.host());
        }
        boolean adminLoopback = isLoopback(ac.host());
        Authenticator jwt = oc.enabled() ? jwtAuthenticator(oc) : token -> Optional.empty();
        this.dlp = config.dlp().enabled() ? Optional.of(dlpEngine(config.dlp())) : Optional.empty();
        EgressPolicy egressPolicy = egressPolicy(config.fetch());
        Map<String, Map<String, String>> secrets = resolveSecrets(config.secrets());
        java.net.URI dockerHost = dockerHost(config.upstreams());
        UpstreamManager.Settings upstreamSettings = upstreamSettings(config.upstreams());

        this.nodeId = config.node().effectiveId();
        GatewayConfig.Tail tc = config.tail();
        this.tail = new TailBus(tc.queueEvents(), tc.maxSubscribers(), tc.recentCalls());

        // 2. Start, pushing each resource on the stack as soon as it runs; a failure closes the stack.
        try {
            this.metrics = mx.enabled() ? Optional.of(resources.push("metrics", new GatewayMetrics(mx.jvm(),
                    mx.maxTools(), mx.maxTenants(), mx.maxUpstreams()))) : Optional.empty();
            this.serverLog = new ServerLog(dlp, nodeId);
            // Every successful mutation, whoever makes it, is one server log line (docs/gateway.md#logs).
            this.registry = LoggedRegistry.wrap(resources.push("registry", openRegistry(config)), serverLog);
            this.dlpAudit = new DlpAudit(registry.audit(), metrics);
            this.fetch = resources.push("fetch binding", fetchBinding(config.fetch(), egressPolicy, secrets));
            ToolRuntime.Builder rb = ToolRuntime.builder().binding(fetch)
                    .binding(new dev.atoll.gateway.internal.catalog.ClientBinding()); // env.progress/sample/elicit
            this.breaker = new ToolBreaker(metrics.<RuntimeObserver>map(m -> m).orElse(RuntimeObserver.NO_OP),
                    rc.suspendAfterLimitStreak(), this::suspendTool);
            rb.observer(breaker);
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
            this.runtime = resources.push("runtime", rb.build());
            GatewayConfig.Pool pc = config.pool();
            this.pool = resources.push("isolate pool", IsolatePool.builder(runtime)
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
                    .observer(metrics.<PoolObserver>map(m -> m).orElse(PoolObserver.NO_OP))
                    .build());
            resources.push("circuit breaker", breaker); // closed before the pool and the runtime
            this.catalog = new Catalog();
            metrics.ifPresent(m -> {
                m.gauge("atoll.catalogue.tools", "Tools agents can list and call", () -> catalog.snapshot().entries().size());
                m.gauge("atoll.runtime.guest.threads.abandoned.now",
                        "Guest threads written off now (their guest did not stop; each burns CPU until it does)",
                        runtime::abandonedThreads);
                m.gauge("atoll.tools.suspended.total", "Tool versions the circuit breaker suspended since start",
                        breaker::suspensions);
                m.gauge("atoll.audit.calls.written", "Call records committed to the audit log since start",
                        () -> registry.audit() instanceof AuditLogImpl a ? a.callsWritten() : 0);
                m.gauge("atoll.audit.write.failures", "Failed audit write attempts since start (each is retried)",
                        () -> registry.audit() instanceof AuditLogImpl a ? a.failedWrites() : 0);
                m.gauge("atoll.audit.spooled.now", "Call records in the audit spool, waiting for the database",
                        () -> registry.audit() instanceof AuditLogImpl a ? a.callsSpooled() : 0);
                m.gauge("atoll.audit.store.failing", "1 while the audit store does not take records, else 0",
                        () -> registry.audit().storeFailure().isPresent() ? 1 : 0);
                m.gauge("atoll.pool.running", "Isolate calls admitted and not finished", () -> pool.stats().running());
                m.gauge("atoll.pool.queued", "Isolate calls waiting for admission", () -> pool.stats().queued());
                m.gauge("atoll.pool.creating", "Warm contexts being created", () -> pool.stats().creating());
            });
            // The overview reads the node's own meters (what /metrics exports), sampled every 5 s.
            this.callStats = new CallHistory(System::currentTimeMillis,
                    () -> metrics.map(GatewayMetrics::callTotals).orElse(CallHistory.Totals.ZERO), Duration.ofSeconds(5));
            this.isolates = new IsolateBackend(pool, breaker);
            this.upstreams = resources.push("upstream servers", upstreamManager(upstreamSettings, egressPolicy, dockerHost))
                    .observer(upstreamObservers());
            this.upstreamBackend = new UpstreamBackend(upstreams);
            this.upstreamFeatures = new dev.atoll.gateway.internal.catalog.UpstreamFeatures(upstreams::feature);
            upstreams.onResourceUpdated(upstreamFeatures::resourceUpdated);
            this.pipeline = pipeline();
            this.heartbeat = resources.push("fleet heartbeat", new dev.atoll.gateway.internal.lifecycle.FleetHeartbeat(
                    registry.fleet(), new dev.atoll.gateway.internal.lifecycle.FleetHeartbeat.Source(nodeId,
                            config.node().region(), VERSION, startedAt, this::fleetReady,
                            () -> servedRevision, () -> metrics.map(GatewayMetrics::callsTotal).orElse(0L),
                            () -> metrics.map(GatewayMetrics::coldStartsTotal).orElse(0L)),
                    Duration.ofMillis(config.fleet().heartbeatMs())));
            resources.onClose("catalogue sync", catalogueWork::shutdownNow); // before the heartbeat and the registry
            JsonRpc rpc = new JsonRpc(hc.maxJsonDepth(), (int) Math.min(Integer.MAX_VALUE, hc.maxPayloadBytes()));
            this.streams = new Streams(mc.maxStreams());
            this.mcp = new McpService(new McpService.Settings("atoll", VERSION, mc.pageSize(),
                    Duration.ofMillis(mc.sessionIdleMs()), mc.maxSessions(), Duration.ofMillis(mc.listTtlMs())),
                    catalog, (principal, entry, arguments, context) -> pipeline.handle(new Call(principal, entry,
                            context), arguments), rpc, streams, toolSearch(mc.toolSearch()), List.of(upstreamFeatures));
            Map<String, Caller> tokens = Map.copyOf(b.mcpTokens);
            Caller anonymous = new Caller("anonymous", Set.of("*"), "anonymous");
            Authenticator own = token -> Optional.ofNullable(tokens.get(token)).or(() -> registry.tokens()
                    .authenticate(TokenKind.MCP, token).map(p -> new Caller(p.tenant(), p.scopes(), p.tokenId())));
            Authenticator auth = mc.requireAuth() ? token -> own.authenticate(token).or(() -> jwt.authenticate(token))
                    : token -> Optional.of(anonymous);
            OriginGuard guard = new OriginGuard(loopback, lower(mc.allowedHosts()), lower(mc.allowedOrigins()));
            this.readiness = new Readiness(
                    new Readiness.Check("catalogue", () -> catalogueLoaded),
                    new Readiness.Check("pools", this::poolsFilled),
                    new Readiness.Check("warm-up", runtime::warmedUp));
            GatewayConfig.Node node = config.node();
            HealthHttp health = new HealthHttp(readiness, rpc.mapper(), node.effectiveId(), node.region());
            McpHttp endpoint = new McpHttp(mc.path(), mcp, guard, auth, rpc.mapper(), hc.maxPayloadBytes(),
                    () -> oc.enabled() ? metadataUrl() : "", mc.requireAuth());
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
                        r.addFilter(ConnectionClose.filter());
                        r.register(health); // no auth: load balancers and kubelets probe these
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
                    .routing("admin", r -> {
                        r.addFilter(ConnectionClose.filter());
                        // DNS-rebinding defence as on the MCP listener, with the same allowed names.
                        r.addFilter(new OriginGuard(adminLoopback, lower(mc.allowedHosts()),
                                lower(mc.allowedOrigins())).filter());
                        AdminHttp adminHttp = new AdminHttp(registry, this::deploy, this::syncCatalogue, rpc.mapper(),
                                runtime.defaults(), runtime.maxima());
                        r.register(adminHttp);
                        r.register(new UpstreamAdminHttp(registry, upstreams,
                                this::syncCatalogue, rpc.mapper(), config.upstreams().limits(),
                                name -> catalog.snapshot().find(name).map(e -> e.backend() == upstreamBackend
                                        ? UpstreamAdminHttp.Served.UPSTREAM : UpstreamAdminHttp.Served.OTHER)
                                        .orElse(UpstreamAdminHttp.Served.NONE)));
                        metrics.ifPresent(m -> r.register(new MetricsHttp(m, registry, mx.requireAuth())));
                        r.register(new dev.atoll.gateway.internal.admin.FleetAdminHttp(registry, rpc.mapper(),
                                Duration.ofMillis(config.fleet().staleAfterMs()), nodeId, this::syncCatalogue));
                        r.addFilter(adminEvents());
                        r.register(new TailHttp(registry, tail, rpc.mapper(), Duration.ofMillis(tc.heartbeatMs()),
                                () -> closing, new FleetTail(this::tailPeers, rpc.mapper(),
                                        Duration.ofMillis(tc.heartbeatMs()),
                                        Duration.ofMillis(config.fleet().heartbeatMs()), () -> closing)));
                        if (config.ui().enabled()) {
                            r.register(new UiHttp(registry, adminHttp, upstreams, this::syncCatalogue, tail, callStats,
                                    nodeId, Duration.ofMillis(config.ui().sessionIdleMs()), config.ui().maxSessions(),
                                    rpc.mapper(), Duration.ofMillis(tc.heartbeatMs()), () -> closing));
                        }
                    })
                    .build();
            // Closed after the listeners stop and before the upstream servers: the last head, so a
            // checkpoint covers every record of this run.
            resources.onClose("audit checkpoints", this::lastCheckpoint);
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
     * answers a gateway failure with an internal error, DLP (arguments in, result and logs out), and the tool's own backend. A new
     * concern (a rate limit, a region check) is one more stage here.
     */
    private CallHandler pipeline() {
        CallHandler handler = new BackendDispatch();
        if (dlp.isPresent()) {
            handler = new DlpStage(dlp.get(), dlpAudit, metrics, handler);
        }
        handler = new ErrorGuard(handler);
        handler = new AuditStage(registry.audit(), config.audit().failOpen(), metrics, handler);
        // One observer times and labels the call once for the meters, the call log and the live tail.
        handler = new ObserveStage(metrics, config.log().calls() ? Optional.of(serverLog) : Optional.empty(), tail,
                nodeId, config.tail().consoleChars(), this::backendKind, handler);
        return handler;
    }

    /** The {@code backend} label of a call: {@code isolate}, {@code upstream} or {@code gateway} (its own retrieve_tools). */
    private String backendKind(dev.atoll.gateway.backend.CatalogEntry e) {
        return e.backend() == isolates ? "isolate" : e.backend() == upstreamBackend || e.backend() == upstreamFeatures
                ? "upstream" : "gateway";
    }

    /** Who hears of upstream changes, as they happen: the meters, the server log, the live tail. */
    private UpstreamObserver upstreamObservers() {
        UpstreamEvents events = new UpstreamEvents(tail, nodeId, name -> upstreams.status(name).restarts(),
                serverLog::safeText);
        return metrics.<UpstreamObserver>map(m -> new UpstreamObservers(m, serverLog, events))
                .orElse(new UpstreamObservers(serverLog, events));
    }

    /**
     * The upstream supervisor with the enabled launchers; a kind whose launcher cannot run on this
     * host (no {@code bwrap}, no Docker engine answering) is refused at {@code upstream add} with the
     * launcher's reason.
     */
    private UpstreamManager upstreamManager(UpstreamManager.Settings upstreamSettings, EgressPolicy egressPolicy,
            java.net.URI dockerHost) {
        GatewayConfig.Upstreams uc = config.upstreams();
        Map<SandboxKind, SandboxLauncher> launchers =
                new java.util.EnumMap<>(SandboxKind.class);
        Map<SandboxKind, String> disabled =
                new java.util.EnumMap<>(SandboxKind.class);
        Path runDir = config.dataDir().toAbsolutePath().resolve("upstreams").resolve("run");
        for (SandboxKind kind : SandboxKind.values()) {
            if (!uc.launchers().contains(kind.id())) {
                disabled.put(kind, "the " + kind.id() + " backend is disabled (upstreams.launchers)");
                continue;
            }
            switch (kind) {
                case BUBBLEWRAP -> {
                    var l = BubblewrapLauncher.create(runDir.resolve("bwrap"));
                    launchers.put(kind, l);
                    resources.onClose("bubblewrap launcher", l::close);
                }
                case DOCKER -> launchers.put(kind, DockerLauncher.create(dockerHost));
            }
        }
        return new UpstreamManager(
                upstreamSettings,
                launchers, disabled, registry.upstreams(), config.dataDir(), this::syncCatalogue,
                upstreamEgress(egressPolicy));
    }

    /** The {@code retrieve_tools} index over the catalogue, if {@code mcp.tool-search.enabled}. */
    private Optional<McpService.ToolSearchSettings> toolSearch(GatewayConfig.ToolSearch t) {
        return t.enabled() ? Optional.of(new McpService.ToolSearchSettings(resources.push("tool search",
                new ToolSearch(catalog)), t.defaultResults(), t.maxResults())) : Optional.empty();
    }

    /** The upstream supervisor's settings ({@code upstreams.*}), checked before anything starts. */
    private static UpstreamManager.Settings upstreamSettings(GatewayConfig.Upstreams uc) {
        try {
            return UpstreamManager.Settings.builder()
                    .startQuarantined(uc.startQuarantined())
                    .startTimeout(Duration.ofMillis(uc.startTimeoutMs()))
                    .callTimeout(Duration.ofMillis(uc.callTimeoutMs()))
                    .healthInterval(Duration.ofMillis(uc.healthIntervalMs()))
                    .healthTimeout(Duration.ofMillis(uc.healthTimeoutMs()))
                    .restartBackoff(Duration.ofMillis(uc.restartBackoffMinMs()), Duration.ofMillis(uc.restartBackoffMaxMs()))
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
    private static java.net.URI dockerHost(GatewayConfig.Upstreams uc) {
        try {
            return java.net.URI.create(uc.dockerHost());
        } catch (IllegalArgumentException e) {
            throw new GatewayException("upstreams.docker-host: '" + uc.dockerHost() + "' is not a URI", e);
        }
    }

    /**
     * Egress proxies for upstreams that allow hosts: the fetch binding's policy ({@code fetch.*}),
     * the DLP egress inspector, and an audit record per decision ({@code upstream.egress}).
     */
    private EgressProxy.Factory upstreamEgress(EgressPolicy policy) {
        return (upstream, socket, allowHosts, events) -> {
            EgressInspector inspector = dlp
                    .<EgressInspector>map(engine -> timed(DlpEgressInspector.create(engine, "gateway",
                            dlpAudit::accept)))
                    .orElse(EgressInspector.none());
            return EgressProxy.start(upstream, socket, allowHosts, policy,
                    Resolver.system(), inspector, e -> {
                        events.accept(e);
                        ObjectNode detail = JsonNodeFactory.instance.objectNode();
                        detail.put("upstream", e.upstream()).put("method", e.method()).put("target", e.target())
                                .put("status", e.status());
                        if (!e.detail().isEmpty()) {
                            detail.put("detail", e.detail());
                        }
                        try {
                            registry.audit().record("upstream:" + e.upstream(), AuditAction.UPSTREAM_EGRESS, "gateway",
                                    e.outcome(), detail);
                        } catch (RuntimeException x) {
                            LOG.log(Level.WARNING, "cannot write an egress audit record: " + x.getMessage());
                        }
                    });
        };
    }

    private static EgressPolicy egressPolicy(GatewayConfig.Fetch f) {
        try {
            EgressPolicy.Builder policy = EgressPolicy.builder().allowHttp(f.allowHttp())
                    .httpsPorts(f.httpsPorts().stream().mapToInt(Integer::intValue).toArray())
                    .httpPorts(f.httpPorts().stream().mapToInt(Integer::intValue).toArray())
                    .maxRedirects(f.maxRedirects());
            f.denyHosts().forEach(policy::denyHost);
            f.allowAddresses().forEach(policy::allowAddress);
            return policy.build();
        } catch (HostBindingsException e) {
            throw new GatewayException("fetch: " + e.getMessage(), e);
        }
    }

    private static DlpEngine dlpEngine(GatewayConfig.Dlp d) {
        try {
            DlpPolicy.Builder policy = DlpPolicy.builder()
                    .onIncomplete(enumValue(Action.class, "dlp.on-incomplete", d.onIncomplete()));
            d.defaults().forEach((direction, byCategory) -> byCategory.forEach((category, action) -> policy.defaultAction(
                    enumValue(Direction.class, "dlp.defaults." + direction, direction),
                    enumValue(Category.class, "dlp.defaults." + direction + "." + category, category),
                    enumValue(Action.class, "dlp.defaults." + direction + "." + category, action))));
            for (int i = 0; i < d.overrides().size(); i++) {
                policy.override(override(d.overrides().get(i), "dlp.overrides[" + i + "]"));
            }
            GatewayConfig.DlpLimits l = d.limits();
            DlpEngine.Builder b = DlpEngine.builder().builtInRules(d.builtinRules()).disableRules(d.disabledRules())
                    .policy(policy.build())
                    .limits(new ScanLimits(l.maxJsonDepth(), l.maxDecodeDepth(), l.maxScanChars(), l.maxDecodedChars(),
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

    private static PolicyRule override(GatewayConfig.DlpOverride o, String key) {
        PolicyRule.Builder r = PolicyRule.builder(enumValue(Action.class, key + ".action", o.action()));
        if (!o.tenant().isEmpty()) {
            r.tenant(o.tenant());
        }
        if (!o.tool().isEmpty()) {
            r.tool(o.tool());
        }
        if (!o.directions().isEmpty()) {
            r.directions(o.directions().stream().map(v -> enumValue(Direction.class, key + ".directions", v))
                    .toArray(Direction[]::new));
        }
        if (!o.categories().isEmpty()) {
            r.categories(o.categories().stream().map(v -> enumValue(Category.class, key + ".categories", v))
                    .toArray(Category[]::new));
        }
        if (!o.rules().isEmpty()) {
            r.rules(o.rules().toArray(String[]::new));
        }
        return r.minSeverity(enumValue(Severity.class, key + ".min-severity", o.minSeverity())).build();
    }

    /** A lower-case, dash-separated config value ({@code egress-request}) as an enum constant. */
    private static <E extends Enum<E>> E enumValue(Class<E> type, String key, String value) {
        String name = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        throw new GatewayException(key + ": '" + value + "' is not one of " + java.util.Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList());
    }

    /** The egress inspector, timed in {@code atoll_dlp_scan_seconds} when metrics are on. */
    private EgressInspector timed(EgressInspector inspector) {
        return metrics.<EgressInspector>map(m -> new dev.atoll.gateway.internal.metrics.TimedEgressInspector(
                inspector, m)).orElse(inspector);
    }

    private FetchBinding fetchBinding(GatewayConfig.Fetch f, EgressPolicy policy, Map<String, Map<String, String>> secrets) {
        try {
            FetchBinding.Builder fb = FetchBinding.builder();
            dlp.ifPresent(engine -> fb.inspector(timed(DlpEgressInspector.create(engine, "gateway", dlpAudit::accept))));
            return fb.policy(policy)
                    .secrets((tool, name) -> Optional.ofNullable(secrets.getOrDefault(tool, Map.of()).get(name)))
                    .maxRequestsPerCall(f.maxRequestsPerCall()).maxResponseBytes(f.maxResponseBytes())
                    .maxResponseBytesPerCall(f.maxResponseBytesPerCall()).maxRequestBodyBytes(f.maxRequestBodyBytes())
                    .requestTimeout(Duration.ofMillis(f.requestTimeoutMs()))
                    .connectTimeout(Duration.ofMillis(f.connectTimeoutMs()))
                    .build();
        } catch (HostBindingsException e) {
            throw new GatewayException("fetch: " + e.getMessage(), e);
        }
    }

    /** Reads {@code env:} and {@code file:} secret references once, at start. Values are never logged. */
    private static Map<String, Map<String, String>> resolveSecrets(Map<String, Map<String, String>> raw) {
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
                        value = java.nio.file.Files.readString(Path.of(ref.substring(5))).strip();
                    } catch (java.io.IOException e) {
                        throw new GatewayException("secrets." + tool + "." + name + ": cannot read " + ref.substring(5));
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
            throw new InvalidToolException("tool " + tool.name() + ": MCP clients would hide this"
                    + " tool: " + String.join("; ", headerProblems));
        }
        DeployResult r = registry.deploy(ToolDefinition.of(source, tool.manifest()), actor);
        if (r.created()) {
            adminEvent("tool.deploy", r.version().name(), actor.id(), "v" + r.version().version() + " quarantined");
        }
        return r;
    }

    /** Publishes an admin event on the live tail. */
    private void adminEvent(String action, String target, String actor, String detail) {
        tail.publish(new TailEvent.Admin(java.time.Instant.now(), nodeId, action, target, actor, detail));
    }

    /**
     * A filter on the admin listener that publishes each admin API mutation that succeeded
     * ({@code POST}/{@code DELETE} of {@code /v1/tools/NAME[/ACTION]} and {@code /v1/upstreams...}) on
     * the live tail, as {@code tool.ACTION} or {@code upstream.ACTION}. Uploads are published by
     * {@link #deploy}, which knows the tool's name.
     */
    private io.helidon.webserver.http.Filter adminEvents() {
        return (chain, req, res) -> {
            chain.proceed();
            String method = req.prologue().method().text();
            if (!(method.equals("POST") || method.equals("DELETE")) || res.status().code() / 100 != 2) {
                return;
            }
            String[] parts = req.path().path().split("/");
            // "", "v1", "tools"|"upstreams", NAME, [ACTION]
            if (parts.length < 4 || !parts[1].equals("v1")
                    || !(parts[2].equals("tools") || parts[2].equals("upstreams"))) {
                return;
            }
            String kind = parts[2].equals("tools") ? "tool" : "upstream";
            String action = parts.length > 4 ? parts[4] : method.equals("DELETE") ? "delete" : "";
            if (action.isEmpty() || parts.length > 5) {
                return;
            }
            String actor = req.context().get(TailHttp.ACTOR, String.class).orElse("admin");
            adminEvent(kind + "." + action, java.net.URLDecoder.decode(parts[3], java.nio.charset.StandardCharsets.UTF_8),
                    actor, "");
        };
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
        return Map.copyOf(startupTokens);
    }

    /**
     * The circuit breaker's action: if code {@code digest} is still the serving version of {@code name},
     * records why in the audit log and disables the tool (an operator enables it again with
     * {@code POST /v1/tools/{name}/enable}).
     */
    private void suspendTool(String name, String digest, String reason) {
        Optional<ServingTool> serving = registry.serving(name);
        if (serving.isEmpty() || !serving.get().toolSource().codeDigest().equals(digest)) {
            return; // another version serves now, or the tool is already out of service
        }
        ObjectNode detail = JsonNodeFactory.instance.objectNode();
        detail.put("tool", name).put("version", serving.get().version()).put("digest", serving.get().digest())
                .put("codeDigest", digest).put("reason", reason);
        registry.audit().record(BREAKER.id(), AuditAction.SUSPEND, "system", "suspended", detail);
        registry.disable(name, BREAKER);
        adminEvent("tool.suspend", name, BREAKER.id(), reason);
        syncCatalogue();
    }

    private static final Actor BREAKER = new Actor("circuit-breaker");

    /** Rebuilds the served catalogue from the registry's approved, enabled versions. */
    synchronized void syncCatalogue() {
        Catalogue current = registry.catalogue();
        List<CatalogEntry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (ServingTool st : current.tools()) {
            if (!st.servesIn(config.node().region())) {
                continue; // placed in other regions: not listed, and a call is answered as for an unknown tool
            }
            try {
                Tool tool = isolates.deploy(st.toolSource(), ToolManifest.fromJson(st.manifest()));
                List<String> headerProblems = HeaderAnnotations.problems(tool.manifest().inputSchema());
                if (!headerProblems.isEmpty()) { // approved before deploy checked this: not served
                    LOG.warning("approved tool " + st.name() + " v" + st.version() + " is not served: "
                            + String.join("; ", headerProblems));
                    continue;
                }
                entries.add(new CatalogEntry(st.name(), st.version(), st.digest(), IsolateBackend.definition(tool),
                        isolates, tool));
                names.add(st.name());
            } catch (InvalidToolException e) {
                if (e.isManifestMismatch()) {
                    suspend(st, e);
                } else {
                    LOG.log(Level.WARNING, "approved tool " + st.name() + " v" + st.version() + " does not load: "
                            + e.getMessage());
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "approved tool " + st.name() + " v" + st.version() + " does not load: "
                        + e.getMessage());
            }
        }
        try {
            List<dev.atoll.gateway.registry.UpstreamInfo> ups = registry.upstreams().list();
            if (upstreamFeatures.update(ups) && mcp != null) {
                mcp.featuresChanged();
            }
            for (CatalogEntry e : upstreamBackend.entries(ups)) {
                if (names.add(e.name())) {
                    entries.add(e);
                } else {
                    // Only data from before names were checked (or a race between two nodes) gets here:
                    // the upload keeps the name, and 'upstream list' reports this tool as not served.
                    LOG.warning("upstream tool " + e.name() + " has the name of an uploaded tool; not served");
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot read upstream tools: " + e.getMessage());
        }
        for (CatalogEntry old : catalog.snapshot().entries()) {
            if (old.backend() == isolates && !names.contains(old.name())) {
                isolates.retire(old.name());
            }
        }
        catalog.replace(entries);
        servedRevision = current.revision();
    }

    /**
     * After another node's change (or a local one): the catalogue is rebuilt, this node's upstream
     * servers follow the shared definitions (started when added or approved anywhere, stopped when
     * removed), and the heartbeat reports the new revision.
     */
    private void catalogueMoved() {
        syncCatalogue();
        try {
            Set<String> defined = new HashSet<>();
            registry.upstreams().list().forEach(u -> {
                defined.add(u.name());
                upstreams.refresh(u.name());
            });
            upstreams.supervised().stream().filter(n -> !defined.contains(n)).forEach(upstreams::stop);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot follow the upstream definitions: " + e.getMessage());
        }
        heartbeat.soon();
    }

    /** "Ready" in the fleet heartbeat: what {@code /readyz} answers. */
    private boolean fleetReady() {
        return readiness != null && readiness.state() == Readiness.State.READY;
    }

    /** This node's id in the fleet ({@code node.id}, or the host name). */
    public String nodeId() {
        return nodeId;
    }

    /**
     * Takes an approved version out of service whose module, loaded again, exported a manifest other
     * than the approved one (issue #18, W1): the tool is disabled and a {@code tool.suspend} record
     * names the version, its digest and the reason. An operator re-enables it after review.
     */
    private void suspend(ServingTool st, InvalidToolException e) {
        LOG.warning("approved tool " + st.name() + " v" + st.version() + " is suspended: " + e.getMessage());
        try {
            registry.disable(st.name(), Actor.SYSTEM);
            ObjectNode detail = JsonNodeFactory.instance.objectNode()
                    .put("tool", st.name()).put("version", st.version()).put("digest", st.digest())
                    .put("reason", e.getMessage());
            registry.audit().record(Actor.SYSTEM.id(), AuditAction.SUSPEND, "", "manifest_mismatch", detail);
            adminEvent("tool.suspend", st.name(), Actor.SYSTEM.id(), "v" + st.version() + ": " + e.getMessage());
        } catch (RuntimeException failed) {
            LOG.log(Level.WARNING, "cannot suspend " + st.name() + ": " + failed.getMessage(), failed);
        }
    }

    /** The other live nodes of the fleet and their admin URLs (the fleet-wide tail's peers). */
    private List<FleetTail.Peer> tailPeers() {
        Map<String, java.net.URI> urls = registry.adminEndpoints().all();
        return registry.fleet().nodes(Duration.ofMillis(config.fleet().staleAfterMs())).stream()
                .filter(n -> !n.stale() && !n.beat().id().equals(nodeId) && urls.containsKey(n.beat().id()))
                .map(n -> new FleetTail.Peer(n.beat().id(), urls.get(n.beat().id()))).toList();
    }

    private volatile boolean advertiseFailing;

    /**
     * Writes this node's admin URL to the registry: {@code http://<admin.host>:<port>}, or with this
     * machine's host name when the admin listener binds a wildcard address.
     */
    private void advertiseAdmin() {
        try {
            String host = config.admin().host();
            if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
                host = java.net.InetAddress.getLocalHost().getHostName();
            }
            registry.adminEndpoints().advertise(nodeId, java.net.URI.create("http://" + urlHost(host) + ":"
                    + adminPort()));
            advertiseFailing = false;
        } catch (RuntimeException | java.net.UnknownHostException e) {
            if (!advertiseFailing) {
                LOG.log(Level.WARNING, "cannot advertise this node's admin URL (the fleet-wide tail will not reach"
                        + " it until it can): " + e.getMessage());
            }
            advertiseFailing = true;
        }
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
            bundled(ToolBundle.EXAMPLES).forEach(this::deployApproved);
        }
        if (config.examples().conformance()) {
            bundled(ToolBundle.CONFORMANCE).forEach(this::deployApproved);
        }
        syncCatalogue();
        catalogueLoaded = true;
        registry.onCatalogueChange(c -> {
            if (catalogueMovePending.compareAndSet(false, true)) {
                try {
                    catalogueWork.execute(() -> {
                        catalogueMovePending.set(false); // a change from now on schedules another round
                        catalogueMoved();
                    });
                } catch (java.util.concurrent.RejectedExecutionException closing) {
                    catalogueMovePending.set(false);
                }
            }
        });
        upstreams.start();
        try {
            server.start();
        } catch (RuntimeException e) {
            throw new GatewayException("cannot start the gateway: " + e.getMessage(), e);
        }
        // Helidon logs a failed bind and carries on with port -1 (a race lost after requireFree).
        if (server.port() < 0 || server.port("admin") < 0) {
            boolean mcpFailed = server.port() < 0;
            throw new ListenerUnavailableException(mcpFailed ? "mcp.port" : "admin.port",
                    mcpFailed ? config.mcp().host() : config.admin().host(),
                    mcpFailed ? config.mcp().port() : config.admin().port(), "the listener did not start");
        }
        // Tokens only once the listeners run: a failed start mints nothing.
        ensureToken(TokenKind.MCP, "ATOLL_MCP_TOKEN");
        ensureToken(TokenKind.ADMIN, "ATOLL_ADMIN_TOKEN");
        heartbeat.start();
        // Where this node's admin API answers, for the fleet-wide tail of the other nodes (docs/ui.md).
        checkpointer.scheduleWithFixedDelay(this::advertiseAdmin, 0, config.fleet().heartbeatMs(),
                java.util.concurrent.TimeUnit.MILLISECONDS);
        checkpointer.scheduleWithFixedDelay(callStats::sample, 5, 5, java.util.concurrent.TimeUnit.SECONDS);
        long every = config.audit().checkpointIntervalMs();
        if (every > 0) {
            checkpointer.scheduleWithFixedDelay(this::checkpoint, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
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

    /**
     * Opens the registry. A PostgreSQL database that does not answer at start is reported and retried
     * (back-off 0.5-10 s) for {@code registry.start-timeout-ms}: the node starts nothing else
     * meanwhile, so it never serves an empty catalogue as if it were the fleet's. An embedded H2
     * database fails at once (its problems are not outages).
     */
    private static Registry openRegistry(GatewayConfig config) {
        dev.atoll.gateway.registry.RegistryConfig rc = config.registry().toRegistryConfig(config.dataDir(),
                config.fleet(), config.node());
        long deadline = System.nanoTime() + Duration.ofMillis(config.registry().startTimeoutMs()).toNanos();
        long backoffMs = 500;
        for (int attempt = 1;; attempt++) {
            try {
                return Registry.open(rc);
            } catch (dev.atoll.gateway.registry.RegistryException e) {
                if (e.reason() != dev.atoll.gateway.registry.RegistryException.Reason.STORAGE
                        || !rc.jdbcUrl().startsWith("jdbc:postgresql:") || System.nanoTime() - deadline >= 0) {
                    throw e;
                }
                LOG.warning("the registry database " + rc.redactedUrl() + " is unreachable (" + e.getMessage()
                        + "): not serving until it answers; retrying in " + backoffMs + " ms (attempt " + attempt + ")");
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                backoffMs = Math.min(backoffMs * 2, 10_000);
            }
        }
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

    /** The tools of the bundles named {@code name} on the module path (tools-examples provides them). */
    private static List<ToolSource> bundled(String name) {
        List<ToolSource> tools = java.util.ServiceLoader.load(ToolBundle.class).stream()
                .map(java.util.ServiceLoader.Provider::get).filter(b -> b.name().equals(name))
                .flatMap(b -> b.tools().stream()).toList();
        if (tools.isEmpty()) {
            LOG.warning("no '" + name + "' tool bundle on the module path (atoll-tools-examples): nothing to deploy");
        }
        return tools;
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
            throw new GatewayException("cannot resolve listener host '" + host + "' (" + key.replace("port", "host")
                    + ")");
        } catch (java.io.IOException e) {
            throw new ListenerUnavailableException(key, host, port, e.getMessage() == null ? "address in use"
                    : e.getMessage().toLowerCase(Locale.ROOT));
        }
    }

    /** Writes a signed checkpoint of the audit head if it moved (docs/registry.md, "Checkpoints"). */
    private void checkpoint() {
        try {
            registry.audit().checkpoint();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot write an audit checkpoint: " + e.getMessage());
        }
    }

    private void ensureToken(TokenKind kind, String env) {
        String fromEnv = env == null ? null : System.getenv(env);
        if (fromEnv != null && !fromEnv.isBlank()) {
            registry.tokens().ensure(kind, "default", fromEnv.trim(), Actor.SYSTEM);
            return;
        }
        // A scoped admin token (refused by the admin API, docs/security.md) does not count as one.
        boolean any = registry.tokens().list().stream().anyMatch(t -> t.kind() == kind && t.revokedAt().isEmpty()
                && (kind != TokenKind.ADMIN || t.tenant().equals("default") && t.scopes().equals(Set.of("*"))));
        if (!any) {
            startupTokens.put(kind.name(), registry.tokens().create(kind, "default", Set.of("*"), "first start",
                    Actor.SYSTEM).plaintext());
        }
    }

    /** Stops the listeners (in-flight requests get the grace period), then the pool and the runtime. */
    @Override
    public void close() {
        readiness.drain();
        closing = true;
        streams.closeAll();
        resources.close();
    }

    /** Stops the checkpoint schedule and writes the last checkpoint (if checkpoints are on). */
    private void lastCheckpoint() {
        checkpointer.shutdownNow();
        if (config.audit().checkpointIntervalMs() > 0) {
            try { // the last head, so a checkpoint covers every record of this run
                registry.audit().flush();
                checkpoint();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot write the last audit checkpoint", e);
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
        private final Map<String, Caller> mcpTokens = new ConcurrentHashMap<>();

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

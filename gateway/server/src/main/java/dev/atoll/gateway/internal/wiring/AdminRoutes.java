package dev.atoll.gateway.internal.wiring;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.GatewayConfig;
import dev.atoll.gateway.internal.admin.AdminEvents;
import dev.atoll.gateway.internal.admin.AdminHttp;
import dev.atoll.gateway.internal.admin.FleetAdminHttp;
import dev.atoll.gateway.internal.admin.TailHttp;
import dev.atoll.gateway.internal.admin.UiHttp;
import dev.atoll.gateway.internal.admin.UpstreamAdminHttp;
import dev.atoll.gateway.internal.mcp.ServedTools;
import dev.atoll.gateway.internal.metrics.CallHistory;
import dev.atoll.gateway.internal.metrics.GatewayMetrics;
import dev.atoll.gateway.internal.metrics.MetricsHttp;
import dev.atoll.gateway.internal.tail.FleetTail;
import dev.atoll.gateway.internal.tail.TailBus;
import dev.atoll.gateway.registry.Actor;
import dev.atoll.gateway.registry.DeployResult;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.upstream.internal.UpstreamBackend;
import dev.atoll.gateway.upstream.internal.UpstreamManager;
import dev.atoll.runtime.ToolRuntime;
import dev.atoll.runtime.ToolSource;
import io.helidon.webserver.http.HttpRouting;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The admin listener's services: tools, upstreams, metrics, fleet, the live tail and the web UI.
 *
 * @param config the configuration
 * @param registry the registry
 * @param deployer deploys an uploaded tool
 * @param afterChange rebuilds the served catalogue
 * @param mapper the JSON mapper
 * @param runtime the runtime (limit defaults and maxima)
 * @param upstreams the upstream supervisor
 * @param catalog the served catalogue
 * @param upstreamBackend the upstream backend (which served tools are upstream tools)
 * @param metrics the metrics, if on
 * @param nodeId this node's id
 * @param tail the live tail
 * @param callStats this node's calls over the last hour, from its meters
 * @param tailPeers the other live nodes and their admin URLs (the fleet-wide tail)
 * @param events the live tail's admin events
 * @param closing whether the gateway is closing (ends streams)
 */
public record AdminRoutes(
        GatewayConfig config,
        Registry registry,
        BiFunction<ToolSource, Actor, DeployResult> deployer,
        Runnable afterChange,
        ObjectMapper mapper,
        ToolRuntime runtime,
        UpstreamManager upstreams,
        ServedTools catalog,
        UpstreamBackend upstreamBackend,
        Optional<GatewayMetrics> metrics,
        String nodeId,
        TailBus tail,
        CallHistory callStats,
        java.util.function.Supplier<java.util.List<FleetTail.Peer>> tailPeers,
        AdminEvents events,
        BooleanSupplier closing)
        implements Consumer<HttpRouting.Builder> {

    @Override
    public void accept(HttpRouting.Builder r) {
        GatewayConfig.Tail tc = config.tail();
        AdminHttp adminHttp =
                new AdminHttp(registry, deployer, afterChange, mapper, runtime.defaults(), runtime.maxima());
        r.register(adminHttp);
        r.register(new UpstreamAdminHttp(
                registry,
                upstreams,
                afterChange,
                mapper,
                config.upstreams().limits(),
                name -> catalog.snapshot()
                        .find(name)
                        .map(e -> e.backend() == upstreamBackend
                                ? UpstreamAdminHttp.Served.UPSTREAM
                                : UpstreamAdminHttp.Served.OTHER)
                        .orElse(UpstreamAdminHttp.Served.NONE)));
        metrics.ifPresent(
                m -> r.register(new MetricsHttp(m, registry, config.metrics().requireAuth())));
        r.register(new FleetAdminHttp(
                registry, mapper, Duration.ofMillis(config.fleet().staleAfterMs()), nodeId, afterChange));
        r.addFilter(events.filter());
        r.register(new TailHttp(
                registry,
                tail,
                mapper,
                Duration.ofMillis(tc.heartbeatMs()),
                closing,
                new FleetTail(
                        tailPeers,
                        mapper,
                        Duration.ofMillis(tc.heartbeatMs()),
                        Duration.ofMillis(config.fleet().heartbeatMs()),
                        closing)));
        if (config.ui().enabled()) {
            r.register(new UiHttp(
                    registry,
                    adminHttp,
                    upstreams,
                    afterChange,
                    tail,
                    callStats,
                    nodeId,
                    Duration.ofMillis(config.ui().sessionIdleMs()),
                    config.ui().maxSessions(),
                    mapper,
                    Duration.ofMillis(tc.heartbeatMs()),
                    closing));
        }
    }
}

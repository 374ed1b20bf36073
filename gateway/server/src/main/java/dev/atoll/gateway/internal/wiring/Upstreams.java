package dev.atoll.gateway.internal.wiring;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.GatewayConfig;
import dev.atoll.gateway.audit.AuditAction;
import dev.atoll.gateway.dlp.DlpEgressInspector;
import dev.atoll.gateway.internal.lifecycle.Resources;
import dev.atoll.gateway.internal.pipeline.DlpAudit;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.SandboxKind;
import dev.atoll.gateway.upstream.internal.BubblewrapLauncher;
import dev.atoll.gateway.upstream.internal.DockerLauncher;
import dev.atoll.gateway.upstream.internal.EgressProxy;
import dev.atoll.gateway.upstream.internal.UpstreamManager;
import dev.atoll.gateway.upstream.spi.SandboxLauncher;
import dev.atoll.host.bindings.EgressInspector;
import dev.atoll.host.bindings.EgressPolicy;
import dev.atoll.host.bindings.Resolver;
import java.nio.file.Path;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The upstream supervisor with its launchers and egress proxies ({@code upstreams.*}). */
public final class Upstreams {

    private static final Logger LOG = Logger.getLogger(Upstreams.class.getName());

    private Upstreams() {}

    /**
     * The upstream supervisor with the enabled launchers; a kind whose launcher cannot run on this
     * host (no {@code bwrap}, no Docker engine answering) is refused at {@code upstream add} with the
     * launcher's reason. Launchers that hold resources are closed by {@code resources}.
     *
     * @param config the configuration
     * @param checked the checked configuration
     * @param resources the gateway's closer stack
     * @param registry the registry (upstream definitions, egress audit records)
     * @param dlpAudit where DLP findings of egress inspection go
     * @param toolsChanged called when an upstream's tools change
     * @param timed wraps an egress inspector so its scans are timed (the meters), or returns it as is
     * @return the supervisor (not started)
     */
    public static UpstreamManager manager(
            GatewayConfig config,
            ConfigMapping.Checked checked,
            Resources resources,
            Registry registry,
            DlpAudit dlpAudit,
            Runnable toolsChanged,
            java.util.function.UnaryOperator<EgressInspector> timed) {
        GatewayConfig.Upstreams uc = config.upstreams();
        Map<SandboxKind, SandboxLauncher> launchers = new java.util.EnumMap<>(SandboxKind.class);
        Map<SandboxKind, String> disabled = new java.util.EnumMap<>(SandboxKind.class);
        Path runDir = config.dataDir().toAbsolutePath().resolve("upstreams").resolve("run");
        for (SandboxKind kind : SandboxKind.values()) {
            if (!uc.launchers().contains(kind)) {
                disabled.put(kind, "the " + kind.id() + " backend is disabled (upstreams.launchers)");
                continue;
            }
            switch (kind) {
                case BUBBLEWRAP -> {
                    var l = BubblewrapLauncher.create(runDir.resolve("bwrap"));
                    launchers.put(kind, l);
                    resources.onClose("bubblewrap launcher", l::close);
                }
                case DOCKER -> launchers.put(kind, DockerLauncher.create(checked.dockerHost()));
            }
        }
        return new UpstreamManager(
                checked.upstreamSettings(),
                launchers,
                disabled,
                registry.upstreams(),
                config.dataDir(),
                toolsChanged,
                egress(checked, registry, dlpAudit, timed));
    }

    /**
     * Egress proxies for upstreams that allow hosts: the fetch binding's policy ({@code fetch.*}),
     * the DLP egress inspector, and an audit record per decision ({@code upstream.egress}).
     */
    private static EgressProxy.Factory egress(
            ConfigMapping.Checked checked,
            Registry registry,
            DlpAudit dlpAudit,
            java.util.function.UnaryOperator<EgressInspector> timed) {
        EgressPolicy policy = checked.egressPolicy();
        return (upstream, socket, allowHosts, events) -> {
            EgressInspector inspector = checked.dlp()
                    .<EgressInspector>map(
                            engine -> timed.apply(DlpEgressInspector.create(engine, "gateway", dlpAudit::accept)))
                    .orElse(EgressInspector.none());
            return EgressProxy.start(upstream, socket, allowHosts, policy, Resolver.system(), inspector, e -> {
                events.accept(e);
                ObjectNode detail = JsonNodeFactory.instance.objectNode();
                detail.put("upstream", e.upstream())
                        .put("method", e.method())
                        .put("target", e.target())
                        .put("status", e.status());
                if (!e.detail().isEmpty()) {
                    detail.put("detail", e.detail());
                }
                try {
                    registry.audit()
                            .record(
                                    "upstream:" + e.upstream(),
                                    AuditAction.UPSTREAM_EGRESS,
                                    "gateway",
                                    e.outcome(),
                                    detail);
                } catch (RuntimeException x) {
                    LOG.log(Level.WARNING, "cannot write an egress audit record", x);
                }
            });
        };
    }
}

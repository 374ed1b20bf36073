package dev.atoll.gateway.internal.wiring;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.audit.AuditAction;
import dev.atoll.gateway.backend.CatalogEntry;
import dev.atoll.gateway.backend.HeaderAnnotations;
import dev.atoll.gateway.internal.admin.AdminEvents;
import dev.atoll.gateway.internal.catalog.IsolateBackend;
import dev.atoll.gateway.internal.catalog.UpstreamFeatures;
import dev.atoll.gateway.internal.mcp.ServedTools;
import dev.atoll.gateway.registry.Actor;
import dev.atoll.gateway.registry.Catalogue;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.ServingTool;
import dev.atoll.gateway.upstream.internal.UpstreamBackend;
import dev.atoll.gateway.upstream.internal.UpstreamManager;
import dev.atoll.runtime.InvalidToolException;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolManifest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the served catalogue in step with the registry: approved, enabled versions placed in this
 * node's region are loaded and served, upstream tools join them, and this node's upstream servers
 * follow the shared definitions. Also takes tool versions out of service (circuit breaker, manifest
 * mismatch).
 */
public final class CatalogueSync implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CatalogueSync.class.getName());
    private static final Actor BREAKER = new Actor("circuit-breaker");

    private final Registry registry;
    private final String region;
    private final ServedTools catalog;
    private final IsolateBackend isolates;
    private final UpstreamManager upstreams;
    private final UpstreamBackend upstreamBackend;
    private final UpstreamFeatures upstreamFeatures;
    private final Runnable featuresChanged;
    private final AdminEvents events;
    private volatile long servedRevision = -1;
    /**
     * Catalogue changes are acted on here, off the registry's notifying thread (which holds the
     * registry's catalogue lock: rebuilding there while another thread in {@link #sync}
     * waits for that lock would deadlock). Changes that arrive while one is pending coalesce.
     */
    private final java.util.concurrent.ExecutorService catalogueWork =
            java.util.concurrent.Executors.newSingleThreadExecutor(Thread.ofPlatform()
                    .name("atoll-catalogue-sync")
                    .daemon(true)
                    .factory());

    private final java.util.concurrent.atomic.AtomicBoolean catalogueMovePending =
            new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * A sync over these parts.
     *
     * @param registry the registry
     * @param region this node's region ({@code node.region})
     * @param catalog the served catalogue
     * @param isolates the isolate backend
     * @param upstreams the upstream supervisor
     * @param upstreamBackend the upstream backend
     * @param upstreamFeatures upstream resources and prompts
     * @param featuresChanged called when upstream resources or prompts changed
     * @param events the live tail's admin events
     */
    public CatalogueSync(
            Registry registry,
            String region,
            ServedTools catalog,
            IsolateBackend isolates,
            UpstreamManager upstreams,
            UpstreamBackend upstreamBackend,
            UpstreamFeatures upstreamFeatures,
            Runnable featuresChanged,
            AdminEvents events) {
        this.registry = registry;
        this.region = region;
        this.catalog = catalog;
        this.isolates = isolates;
        this.upstreams = upstreams;
        this.upstreamBackend = upstreamBackend;
        this.upstreamFeatures = upstreamFeatures;
        this.featuresChanged = featuresChanged;
        this.events = events;
    }

    /** The registry revision the served catalogue was built from ({@code -1} before the first sync). */
    public long servedRevision() {
        return servedRevision;
    }

    /**
     * Follows the registry's changes from now on, each on the sync thread (see {@link #close()}).
     *
     * @param afterMove called after each rebuild (the fleet heartbeat's {@code soon})
     */
    public void listen(Runnable afterMove) {
        registry.onCatalogueChange(c -> {
            if (catalogueMovePending.compareAndSet(false, true)) {
                try {
                    catalogueWork.execute(() -> {
                        catalogueMovePending.set(false); // a change from now on schedules another round
                        catalogueMoved(afterMove);
                    });
                } catch (java.util.concurrent.RejectedExecutionException closing) {
                    catalogueMovePending.set(false);
                }
            }
        });
    }

    /** Stops following the registry. */
    @Override
    public void close() {
        catalogueWork.shutdownNow();
    }

    /** Rebuilds the served catalogue from the registry's approved, enabled versions. */
    public synchronized void sync() {
        Catalogue current = registry.catalogue();
        List<CatalogEntry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (ServingTool st : current.tools()) {
            if (!st.servesIn(region)) {
                continue; // placed in other regions: not listed, and a call is answered as for an unknown tool
            }
            try {
                Tool tool = isolates.deploy(st.toolSource(), ToolManifest.fromJson(st.manifest()));
                List<String> headerProblems =
                        HeaderAnnotations.problems(tool.manifest().inputSchema());
                if (!headerProblems.isEmpty()) { // approved before deploy checked this: not served
                    LOG.warning("approved tool " + st.name() + " v" + st.version() + " is not served: "
                            + String.join("; ", headerProblems));
                    continue;
                }
                entries.add(new CatalogEntry(
                        st.name(), st.version(), st.digest(), IsolateBackend.definition(tool), isolates, tool));
                names.add(st.name());
            } catch (InvalidToolException e) {
                if (e.isManifestMismatch()) {
                    suspend(st, e);
                } else {
                    LOG.log(
                            Level.WARNING,
                            "approved tool " + st.name() + " v" + st.version() + " does not load: " + e.getMessage());
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "approved tool " + st.name() + " v" + st.version() + " does not load", e);
            }
        }
        try {
            List<dev.atoll.gateway.registry.UpstreamInfo> ups =
                    registry.upstreams().list();
            if (upstreamFeatures.update(ups)) {
                featuresChanged.run();
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
            LOG.log(Level.WARNING, "cannot read upstream tools", e);
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
    private void catalogueMoved(Runnable afterMove) {
        sync();
        try {
            Set<String> defined = new HashSet<>();
            registry.upstreams().list().forEach(u -> {
                defined.add(u.name());
                upstreams.refresh(u.name());
            });
            upstreams.supervised().stream().filter(n -> !defined.contains(n)).forEach(upstreams::stop);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot follow the upstream definitions", e);
        }
        afterMove.run();
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
            ObjectNode detail = JsonNodeFactory.instance
                    .objectNode()
                    .put("tool", st.name())
                    .put("version", st.version())
                    .put("digest", st.digest())
                    .put("reason", e.getMessage());
            registry.audit().record(Actor.SYSTEM.id(), AuditAction.SUSPEND, "", "manifest_mismatch", detail);
            events.publish("tool.suspend", st.name(), Actor.SYSTEM.id(), "v" + st.version() + ": " + e.getMessage());
        } catch (RuntimeException failed) {
            LOG.log(Level.WARNING, "cannot suspend " + st.name(), failed);
        }
    }

    /**
     * The circuit breaker's action: if code {@code digest} is still the serving version of {@code name},
     * records why in the audit log and disables the tool (an operator enables it again with
     * {@code POST /v1/tools/{name}/enable}).
     *
     * @param name tool name
     * @param digest the version's code digest
     * @param reason why
     */
    public void suspendTool(String name, String digest, String reason) {
        Optional<ServingTool> serving = registry.serving(name);
        if (serving.isEmpty() || !serving.get().toolSource().codeDigest().equals(digest)) {
            return; // another version serves now, or the tool is already out of service
        }
        ObjectNode detail = JsonNodeFactory.instance.objectNode();
        detail.put("tool", name)
                .put("version", serving.get().version())
                .put("digest", serving.get().digest())
                .put("codeDigest", digest)
                .put("reason", reason);
        registry.audit().record(BREAKER.id(), AuditAction.SUSPEND, "system", "suspended", detail);
        registry.disable(name, BREAKER);
        events.publish("tool.suspend", name, BREAKER.id(), reason);
        sync();
    }
}

package dev.atoll.gateway.registry.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.audit.AuditAction;
import dev.atoll.gateway.audit.AuditLog;
import dev.atoll.gateway.audit.internal.AuditEntry;
import dev.atoll.gateway.audit.internal.AuditLogImpl;
import dev.atoll.gateway.audit.internal.AuditStore;
import dev.atoll.gateway.registry.Actor;
import dev.atoll.gateway.registry.Catalogue;
import dev.atoll.gateway.registry.DeployResult;
import dev.atoll.gateway.registry.PoisoningSign;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.RegistryConfig;
import dev.atoll.gateway.registry.RegistryException;
import dev.atoll.gateway.registry.RegistryException.Reason;
import dev.atoll.gateway.registry.ReviewChange;
import dev.atoll.gateway.registry.ServingTool;
import dev.atoll.gateway.registry.Tokens;
import dev.atoll.gateway.registry.ToolChanges;
import dev.atoll.gateway.registry.ToolDefinition;
import dev.atoll.gateway.registry.ToolInfo;
import dev.atoll.gateway.registry.ToolState;
import dev.atoll.gateway.registry.ToolVersion;
import dev.atoll.gateway.store.Canonical;
import dev.atoll.gateway.store.Database;
import dev.atoll.runtime.Language;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The registry over JDBC: tools, versions, the catalogue and its revision. */
public final class JdbcRegistry implements Registry {

    private static final Logger LOG = Logger.getLogger(JdbcRegistry.class.getName());
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final java.util.regex.Pattern TOOL_NAME = java.util.regex.Pattern.compile("[a-z0-9_]{1,64}");
    private static final java.util.regex.Pattern REGION = java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,31}");
    private static final String VERSION_COLUMNS = "name, version, digest, state, language, file_name, code_digest,"
            + " manifest, created_at, created_by, decided_at, decided_by";

    private final RegistryConfig config;
    private final Database db;
    private final AdminEndpointStore adminEndpoints;
    private final AuditLogImpl audit;
    private final TokenStore tokens;
    private final UpstreamStore upstreams;
    private final List<Consumer<Catalogue>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<ReviewChange>> reviewListeners = new CopyOnWriteArrayList<>();
    /** Names this open registry in its review notifications, so its own are not told twice. */
    private final String origin = java.util.UUID.randomUUID().toString().replace("-", "");

    private final Object catalogueLock = new Object();
    private volatile Catalogue catalogue;
    private volatile long catalogueCheckedAt;
    private volatile boolean closed;
    private final Optional<FleetListener> listener;
    private final FleetStore fleet;

    private JdbcRegistry(RegistryConfig config, Database db) {
        this.config = config;
        this.db = db;
        this.audit = new AuditLogImpl(db, config);
        this.tokens = new TokenStore(db, config.tokenCacheTtl());
        this.upstreams = new UpstreamStore(db);
        this.catalogue = loadCatalogue();
        this.catalogueCheckedAt = System.nanoTime();
        this.listener = db.isPostgres()
                ? Optional.of(new FleetListener(
                        db,
                        config.catalogueRefresh(),
                        config.notifications(),
                        this::refreshIfMoved,
                        tokens::onChange,
                        this::reviewedElsewhere))
                : Optional.empty();
        this.adminEndpoints = new AdminEndpointStore(db);
        this.fleet = new FleetStore(
                db,
                () -> listener.map(FleetListener::status)
                        .orElseGet(() -> new dev.atoll.gateway.registry.Fleet.Propagation(
                                dev.atoll.gateway.registry.Fleet.Mode.LOCAL, false, 0, 0, config.catalogueRefresh())));
        listener.ifPresent(FleetListener::start);
    }

    /**
     * Opens the registry.
     *
     * @param config the configuration
     * @return the registry
     */
    public static Registry open(RegistryConfig config) {
        Objects.requireNonNull(config, "config");
        if (config.jdbcUrl().startsWith("jdbc:h2:file:")) {
            try {
                Files.createDirectories(config.dataDir());
            } catch (IOException e) {
                throw RegistryException.storage("cannot create the data directory " + config.dataDir(), e);
            }
        }
        Database db = Database.open(config);
        try {
            return new JdbcRegistry(config, db);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- mutations

    @Override
    public DeployResult deploy(ToolDefinition def, Actor actor) {
        Objects.requireNonNull(def, "definition");
        Objects.requireNonNull(actor, "actor");
        checkOpen();
        String digest = def.digest();
        String codeDigest = Canonical.codeDigest(def.code());
        ObjectNode manifest = def.manifest();
        String manifestText = Canonical.json(manifest);
        byte[] code = def.code().getBytes(StandardCharsets.UTF_8);
        DeployResult deployed = db.inAdminTransaction("deploying " + def.name(), c -> {
            long now = System.currentTimeMillis();
            Optional<ToolRow> row = lockTool(c, def.name());
            refuseUpstreamNamespace(c, def.name(), "deploy");
            if (row.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO tool (name, source, enabled,"
                        + " serving_version, created_at, updated_at) VALUES (?, ?, TRUE, NULL, ?, ?)")) {
                    ps.setString(1, def.name());
                    ps.setString(2, def.source());
                    ps.setLong(3, now);
                    ps.setLong(4, now);
                    ps.executeUpdate();
                }
            } else if (!row.get().source().equals(def.source())) {
                throw new RegistryException(
                        Reason.CONFLICT,
                        "the tool name '" + def.name() + "' belongs to source '"
                                + row.get().source() + "', not '" + def.source() + "'");
            }
            ObjectNode detail = JsonNodeFactory.instance.objectNode();
            detail.put("source", def.source());
            detail.put("fileName", def.fileName());
            detail.put("codeSha256", codeDigest);
            Optional<ToolVersion> same = versionByDigest(c, def.name(), digest);
            if (same.isPresent()) {
                detail.put("created", false);
                AuditStore.append(
                        c,
                        db,
                        List.of(AuditEntry.of(
                                actor.id(),
                                AuditAction.DEPLOY,
                                def.name(),
                                Optional.of(same.get().version()),
                                digest,
                                detail)));
                return new DeployResult(same.get(), false);
            }
            int version;
            try (PreparedStatement ps = c.prepareStatement("SELECT MAX(version) FROM tool_version WHERE name = ?")) {
                ps.setString(1, def.name());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    version = rs.getInt(1) + 1;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO tool_version (" + VERSION_COLUMNS
                    + ", code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)")) {
                ps.setString(1, def.name());
                ps.setInt(2, version);
                ps.setString(3, digest);
                ps.setString(4, ToolState.QUARANTINED.name());
                ps.setString(5, def.language().name());
                ps.setString(6, def.fileName());
                ps.setString(7, codeDigest);
                ps.setString(8, manifestText);
                ps.setLong(9, now);
                ps.setString(10, actor.id());
                ps.setBytes(11, code);
                ps.executeUpdate();
            }
            touch(c, def.name(), now);
            List<PoisoningSign> signs = PoisoningScanner.scan(def.name(), manifest, otherNames(c, def.name()));
            detail.put("created", true);
            signs.stream().map(s -> s.kind().name()).distinct().forEach(detail.withArray("signs")::add);
            AuditStore.append(
                    c,
                    db,
                    List.of(AuditEntry.of(
                            actor.id(), AuditAction.DEPLOY, def.name(), Optional.of(version), digest, detail)));
            FleetChannel.reviewed(c, new ReviewChange(ReviewChange.Kind.DEPLOYED, def.name(), version), origin);
            return new DeployResult(versionByNumber(c, def.name(), version).orElseThrow(), true);
        });
        if (deployed.created()) {
            reviewed(new ReviewChange(
                    ReviewChange.Kind.DEPLOYED, def.name(), deployed.version().version()));
        }
        return deployed;
    }

    @Override
    public ToolVersion approve(String name, int version, Actor actor) {
        checkName(name);
        Objects.requireNonNull(actor, "actor");
        checkOpen();
        ToolVersion result = db.inAdminTransaction("approving " + name + " v" + version, c -> {
            ToolRow tool = lockTool(c, name).orElseThrow(() -> unknownTool(name));
            refuseUpstreamNamespace(c, name, "approve");
            ToolVersion v = versionByNumber(c, name, version).orElseThrow(() -> unknownVersion(name, version));
            if (v.state() == ToolState.REJECTED) {
                throw new RegistryException(
                        Reason.INVALID_STATE,
                        name + " v" + version + " was rejected; deploy it again as a new version to review it");
            }
            if (v.state() == ToolState.APPROVED && tool.servingVersion().equals(Optional.of(version))) {
                return v;
            }
            long now = System.currentTimeMillis();
            if (v.state() == ToolState.QUARANTINED) {
                decide(c, name, version, ToolState.APPROVED, actor, now);
            }
            setServing(c, name, version, now);
            bumpRevision(c);
            ObjectNode detail = JsonNodeFactory.instance.objectNode();
            tool.servingVersion().ifPresent(p -> detail.put("previousServing", p.intValue()));
            detail.put("wasState", v.state().name());
            AuditStore.append(
                    c,
                    db,
                    List.of(AuditEntry.of(
                            actor.id(), AuditAction.APPROVE, name, Optional.of(version), v.digest(), detail)));
            return versionByNumber(c, name, version).orElseThrow();
        });
        catalogueChanged();
        return result;
    }

    @Override
    public ToolVersion reject(String name, int version, Actor actor) {
        checkName(name);
        Objects.requireNonNull(actor, "actor");
        checkOpen();
        boolean[] changed = {false};
        ToolVersion rejected = db.inAdminTransaction("rejecting " + name + " v" + version, c -> {
            if (lockTool(c, name).isEmpty()) {
                throw unknownTool(name);
            }
            ToolVersion v = versionByNumber(c, name, version).orElseThrow(() -> unknownVersion(name, version));
            if (v.state() == ToolState.REJECTED) {
                return v;
            }
            if (v.state() != ToolState.QUARANTINED) {
                throw new RegistryException(
                        Reason.INVALID_STATE,
                        name + " v" + version
                                + " is approved; only quarantined versions can be rejected (roll back or disable instead)");
            }
            decide(c, name, version, ToolState.REJECTED, actor, System.currentTimeMillis());
            AuditStore.append(
                    c,
                    db,
                    List.of(AuditEntry.of(
                            actor.id(),
                            AuditAction.REJECT,
                            name,
                            Optional.of(version),
                            v.digest(),
                            JsonNodeFactory.instance.objectNode())));
            FleetChannel.reviewed(c, new ReviewChange(ReviewChange.Kind.REJECTED, name, version), origin);
            changed[0] = true;
            return versionByNumber(c, name, version).orElseThrow();
        });
        if (changed[0]) {
            reviewed(new ReviewChange(ReviewChange.Kind.REJECTED, name, version));
        }
        return rejected;
    }

    @Override
    public ToolInfo rollback(String name, int toVersion, Actor actor) {
        checkName(name);
        Objects.requireNonNull(actor, "actor");
        checkOpen();
        ToolInfo result = db.inAdminTransaction("rolling back " + name + " to v" + toVersion, c -> {
            ToolRow tool = lockTool(c, name).orElseThrow(() -> unknownTool(name));
            ToolVersion v = versionByNumber(c, name, toVersion).orElseThrow(() -> unknownVersion(name, toVersion));
            int serving = tool.servingVersion()
                    .orElseThrow(() -> new RegistryException(
                            Reason.INVALID_STATE, name + " has no serving version to roll back from"));
            if (v.state() != ToolState.APPROVED) {
                throw new RegistryException(
                        Reason.INVALID_STATE,
                        "cannot roll back " + name + " to v" + toVersion + ": it is "
                                + v.state().name().toLowerCase(java.util.Locale.ROOT) + ", not approved");
            }
            if (toVersion >= serving) {
                throw new RegistryException(
                        Reason.INVALID_STATE,
                        "cannot roll back " + name + " to v" + toVersion + ": it is not older than the serving v"
                                + serving);
            }
            long now = System.currentTimeMillis();
            setServing(c, name, toVersion, now);
            bumpRevision(c);
            ObjectNode detail = JsonNodeFactory.instance.objectNode();
            detail.put("from", serving);
            AuditStore.append(
                    c,
                    db,
                    List.of(AuditEntry.of(
                            actor.id(), AuditAction.ROLLBACK, name, Optional.of(toVersion), v.digest(), detail)));
            return readTool(c, name).orElseThrow();
        });
        catalogueChanged();
        return result;
    }

    @Override
    public ToolInfo disable(String name, Actor actor) {
        return setEnabled(name, false, actor);
    }

    @Override
    public ToolInfo enable(String name, Actor actor) {
        return setEnabled(name, true, actor);
    }

    private ToolInfo setEnabled(String name, boolean enabled, Actor actor) {
        checkName(name);
        Objects.requireNonNull(actor, "actor");
        checkOpen();
        boolean[] changed = {false};
        ToolInfo result = db.inAdminTransaction((enabled ? "enabling " : "disabling ") + name, c -> {
            ToolRow tool = lockTool(c, name).orElseThrow(() -> unknownTool(name));
            if (tool.enabled() == enabled) {
                return readTool(c, name).orElseThrow();
            }
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE tool SET enabled = ?, updated_at = ? WHERE name = ?")) {
                ps.setBoolean(1, enabled);
                ps.setLong(2, System.currentTimeMillis());
                ps.setString(3, name);
                ps.executeUpdate();
            }
            bumpRevision(c);
            AuditStore.append(
                    c,
                    db,
                    List.of(AuditEntry.of(
                            actor.id(),
                            enabled ? AuditAction.ENABLE : AuditAction.DISABLE,
                            name,
                            tool.servingVersion(),
                            "",
                            JsonNodeFactory.instance.objectNode())));
            changed[0] = true;
            return readTool(c, name).orElseThrow();
        });
        if (changed[0]) {
            catalogueChanged();
        }
        return result;
    }

    @Override
    public void delete(String name, Actor actor) {
        checkName(name);
        Objects.requireNonNull(actor, "actor");
        checkOpen();
        db.adminUpdate("deleting " + name, c -> {
            ToolRow tool = lockTool(c, name).orElseThrow(() -> unknownTool(name));
            int versions;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM tool_version WHERE name = ?")) {
                ps.setString(1, name);
                versions = ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM tool WHERE name = ?")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
            bumpRevision(c);
            ObjectNode detail = JsonNodeFactory.instance.objectNode();
            detail.put("versions", versions);
            detail.put("source", tool.source());
            AuditStore.append(
                    c,
                    db,
                    List.of(AuditEntry.of(actor.id(), AuditAction.DELETE, name, tool.servingVersion(), "", detail)));
        });
        catalogueChanged();
    }

    // ---------------------------------------------------------------- queries

    @Override
    public List<ToolInfo> list() {
        checkOpen();
        return db.read("listing tools", c -> {
            Map<String, ToolRow> rows = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT name, source, enabled, serving_version, created_at, updated_at, regions FROM tool ORDER BY name");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ToolRow r = toolRow(rs);
                    rows.put(r.name(), r);
                }
            }
            Map<String, List<ToolVersion>> versions = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT " + VERSION_COLUMNS + " FROM tool_version ORDER BY name, version");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ToolVersion v = version(rs);
                    versions.computeIfAbsent(v.name(), k -> new ArrayList<>()).add(v);
                }
            }
            List<ToolInfo> out = new ArrayList<>();
            rows.values().forEach(r -> out.add(r.info(versions.getOrDefault(r.name(), List.of()))));
            return out;
        });
    }

    @Override
    public Optional<ToolInfo> tool(String name) {
        checkOpen();
        if (name == null || !TOOL_NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        return db.read("reading " + name, c -> readTool(c, name));
    }

    @Override
    public Optional<String> code(String name, int version) {
        checkOpen();
        if (name == null || !TOOL_NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        return db.read("reading the code of " + name + " v" + version, c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT code FROM tool_version WHERE name = ? AND version = ?")) {
                ps.setString(1, name);
                ps.setInt(2, version);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next()
                            ? Optional.of(new String(rs.getBytes(1), StandardCharsets.UTF_8))
                            : Optional.<String>empty();
                }
            }
        });
    }

    @Override
    public ToolChanges changes(String name, int version) {
        checkOpen();
        checkName(name);
        return db.read("comparing " + name + " v" + version, c -> {
            ToolInfo tool = readTool(c, name).orElseThrow(() -> unknownTool(name));
            ToolVersion v = tool.version(version).orElseThrow(() -> unknownVersion(name, version));
            Optional<ToolVersion> base = tool.servingVersion()
                    .filter(s -> s != version)
                    .flatMap(tool::version)
                    .filter(s -> s.state() == ToolState.APPROVED)
                    .or(() -> tool.versions().stream()
                            .filter(o -> o.state() == ToolState.APPROVED && o.version() < version)
                            .reduce((a, b) -> b));
            List<ToolChanges.Change> changes = ToolDiff.diff(base.map(JdbcRegistry::side), side(v));
            List<PoisoningSign> signs = PoisoningScanner.scan(name, v.manifest(), otherNames(c, name));
            return new ToolChanges(name, version, v.digest(), base.map(ToolVersion::version), changes, signs);
        });
    }

    private static ToolDiff.Side side(ToolVersion v) {
        return new ToolDiff.Side(v.language().id(), v.codeDigest(), v.manifest());
    }

    @Override
    public Catalogue catalogue() {
        checkOpen();
        long now = System.nanoTime();
        if (now - catalogueCheckedAt >= config.catalogueRefresh().toNanos()) {
            long revision = db.read("reading the catalogue revision", JdbcRegistry::revision);
            catalogueCheckedAt = now;
            if (revision != catalogue.revision()) {
                catalogueChanged();
            }
        }
        return catalogue;
    }

    @Override
    public AutoCloseable onCatalogueChange(Consumer<Catalogue> listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public AutoCloseable onReviewChange(Consumer<ReviewChange> listener) {
        Objects.requireNonNull(listener, "listener");
        reviewListeners.add(listener);
        return () -> reviewListeners.remove(listener);
    }

    /** Another node's deploy or reject, from its notification (this registry's own were told after commit). */
    private void reviewedElsewhere(FleetChannel.Reviewed r) {
        if (!closed && !r.origin().equals(origin)) {
            reviewed(r.review());
        }
    }

    private void reviewed(ReviewChange change) {
        for (Consumer<ReviewChange> l : reviewListeners) {
            try {
                l.accept(change);
            } catch (RuntimeException e) {
                LOG.log(java.util.logging.Level.WARNING, "review listener failed", e);
            }
        }
    }

    @Override
    public Tokens tokens() {
        return tokens;
    }

    @Override
    public dev.atoll.gateway.registry.Fleet fleet() {
        return fleet;
    }

    @Override
    public dev.atoll.gateway.registry.AdminEndpoints adminEndpoints() {
        return adminEndpoints;
    }

    @Override
    public ToolInfo place(String name, java.util.Set<String> regions, Actor actor) {
        checkName(name);
        Objects.requireNonNull(regions, "regions");
        Objects.requireNonNull(actor, "actor");
        java.util.SortedSet<String> sorted = new java.util.TreeSet<>();
        for (String r : regions) {
            if (r == null || !REGION.matcher(r).matches()) {
                throw new RegistryException(
                        Reason.INVALID_ARGUMENT,
                        "a region must be 1-32 of a-z 0-9 - starting" + " with a letter, got "
                                + PoisoningScanner.escape("'" + r + "'"));
            }
            sorted.add(r);
        }
        if (sorted.size() > 12) {
            throw new RegistryException(Reason.INVALID_ARGUMENT, "at most 12 regions per tool, got " + sorted.size());
        }
        String text = String.join(",", sorted);
        checkOpen();
        boolean[] changed = {false};
        ToolInfo result = db.inAdminTransaction("placing " + name, c -> {
            ToolRow tool = lockTool(c, name).orElseThrow(() -> unknownTool(name));
            if (tool.regions().equals(sorted)) {
                return readTool(c, name).orElseThrow();
            }
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE tool SET regions = ?, updated_at = ? WHERE name = ?")) {
                ps.setString(1, text);
                ps.setLong(2, System.currentTimeMillis());
                ps.setString(3, name);
                ps.executeUpdate();
            }
            bumpRevision(c);
            ObjectNode detail = JsonNodeFactory.instance.objectNode();
            sorted.forEach(detail.putArray("regions")::add);
            tool.regions().forEach(detail.putArray("previousRegions")::add);
            AuditStore.append(
                    c,
                    db,
                    List.of(AuditEntry.of(actor.id(), AuditAction.PLACE, name, tool.servingVersion(), "", detail)));
            changed[0] = true;
            return readTool(c, name).orElseThrow();
        });
        if (changed[0]) {
            catalogueChanged();
        }
        return result;
    }

    @Override
    public dev.atoll.gateway.registry.Upstreams upstreams() {
        checkOpen();
        return upstreams;
    }

    @Override
    public AuditLog audit() {
        return audit;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        listener.ifPresent(FleetListener::close);
        try {
            audit.close();
        } finally {
            db.close();
        }
    }

    // ---------------------------------------------------------------- catalogue

    /** Compares the database's revision with the catalogue's; reloads when it moved (another node's change). */
    private void refreshIfMoved() {
        if (closed) {
            return;
        }
        long revision = db.read("reading the catalogue revision", JdbcRegistry::revision);
        catalogueCheckedAt = System.nanoTime();
        if (revision != catalogue.revision()) {
            catalogueChanged();
        }
    }

    /** Reloads the catalogue if its revision moved and tells the listeners, in revision order. */
    private void catalogueChanged() {
        synchronized (catalogueLock) {
            Catalogue loaded = loadCatalogue();
            catalogueCheckedAt = System.nanoTime();
            if (loaded.revision() <= catalogue.revision()) {
                return;
            }
            catalogue = loaded;
            for (Consumer<Catalogue> l : listeners) {
                try {
                    l.accept(loaded);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "catalogue listener failed", e);
                }
            }
        }
    }

    private Catalogue loadCatalogue() {
        return db.read("loading the serving catalogue", c -> {
            long revision = revision(c);
            List<ServingTool> tools = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT v.name, v.version, v.digest, v.language,"
                            + " v.file_name, v.code, v.manifest, t.regions FROM tool t JOIN tool_version v"
                            + " ON v.name = t.name AND v.version = t.serving_version"
                            + " WHERE t.enabled = TRUE AND v.state = 'APPROVED' ORDER BY t.name");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tools.add(new ServingTool(
                            rs.getString(1),
                            rs.getInt(2),
                            rs.getString(3).trim(),
                            Language.valueOf(rs.getString(4)),
                            rs.getString(5),
                            new String(rs.getBytes(6), StandardCharsets.UTF_8),
                            parse(rs.getString(7)),
                            regions(rs.getString(8))));
                }
            }
            return new Catalogue(revision, tools);
        });
    }

    static long revision(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT revision FROM catalogue_state WHERE id = 1");
                ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("catalogue_state row is missing", "55000");
            }
            return rs.getLong(1);
        }
    }

    /**
     * Moves the catalogue revision on and tells the fleet (a {@code pg_notify} delivered when this
     * transaction commits; docs/fleet.md, "Propagation").
     */
    static void bumpRevision(Connection c) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("UPDATE catalogue_state SET revision = revision + 1 WHERE id = 1")) {
            ps.executeUpdate();
        }
        FleetChannel.catalogue(c, revision(c));
    }

    private static java.util.SortedSet<String> regions(String text) {
        java.util.SortedSet<String> out = new java.util.TreeSet<>();
        for (String r : text.split(",")) {
            if (REGION.matcher(r).matches()) { // the host decides: anything else in the column is ignored
                out.add(r);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- rows

    private record ToolRow(
            String name,
            String source,
            boolean enabled,
            Optional<Integer> servingVersion,
            long createdAt,
            long updatedAt,
            java.util.SortedSet<String> regions) {
        ToolInfo info(List<ToolVersion> versions) {
            return new ToolInfo(
                    name,
                    source,
                    enabled,
                    servingVersion,
                    versions,
                    Instant.ofEpochMilli(createdAt),
                    Instant.ofEpochMilli(updatedAt),
                    regions);
        }
    }

    private static ToolRow toolRow(ResultSet rs) throws SQLException {
        int serving = rs.getInt(4);
        Optional<Integer> sv = rs.wasNull() ? Optional.empty() : Optional.of(serving);
        return new ToolRow(
                rs.getString(1),
                rs.getString(2),
                rs.getBoolean(3),
                sv,
                rs.getLong(5),
                rs.getLong(6),
                regions(rs.getString(7)));
    }

    /**
     * Names the gateway serves itself (its optional tool search, docs/gateway.md): a tool of that name
     * would be shadowed while the feature is on, so it is refused, as a name of another source is.
     */
    public static final java.util.Set<String> RESERVED = java.util.Set.of("retrieve_tools");

    /**
     * A name in a registered upstream's namespace ({@code NAME__*}) belongs to that upstream, and a
     * {@link #RESERVED} name to the gateway: CONFLICT.
     */
    private static void refuseUpstreamNamespace(Connection c, String name, String verb) throws SQLException {
        if (RESERVED.contains(name)) {
            throw new RegistryException(
                    Reason.CONFLICT,
                    "cannot " + verb + " '" + name + "': the name is reserved"
                            + " for the gateway's own tool search (mcp.tool-search); choose another name");
        }
        Optional<String> upstream = UpstreamStore.namespaceOwner(c, name);
        if (upstream.isPresent()) {
            throw new RegistryException(
                    Reason.CONFLICT,
                    "cannot " + verb + " '" + name + "': names "
                            + upstream.get() + UpstreamStore.SEPARATOR + "* belong to upstream '" + upstream.get()
                            + "' (its tools are served under them; a name belongs to one source); choose another name");
        }
    }

    private static Optional<ToolRow> lockTool(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT name, source, enabled, serving_version, created_at,"
                + " updated_at, regions FROM tool WHERE name = ? FOR UPDATE")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(toolRow(rs)) : Optional.empty();
            }
        }
    }

    private static Optional<ToolInfo> readTool(Connection c, String name) throws SQLException {
        ToolRow row;
        try (PreparedStatement ps = c.prepareStatement("SELECT name, source, enabled, serving_version, created_at,"
                + " updated_at, regions FROM tool WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                row = toolRow(rs);
            }
        }
        List<ToolVersion> versions = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + VERSION_COLUMNS + " FROM tool_version WHERE name = ? ORDER BY version")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    versions.add(version(rs));
                }
            }
        }
        return Optional.of(row.info(versions));
    }

    private static Optional<ToolVersion> versionByNumber(Connection c, String name, int version) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT " + VERSION_COLUMNS + " FROM tool_version WHERE name = ? AND version = ?")) {
            ps.setString(1, name);
            ps.setInt(2, version);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(version(rs)) : Optional.empty();
            }
        }
    }

    private static Optional<ToolVersion> versionByDigest(Connection c, String name, String digest) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT " + VERSION_COLUMNS + " FROM tool_version WHERE name = ? AND digest = ?")) {
            ps.setString(1, name);
            ps.setString(2, digest);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(version(rs)) : Optional.empty();
            }
        }
    }

    private static ToolVersion version(ResultSet rs) throws SQLException {
        long decided = rs.getLong(11);
        Optional<Instant> decidedAt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(decided));
        return new ToolVersion(
                rs.getString(1),
                rs.getInt(2),
                rs.getString(3).trim(),
                ToolState.valueOf(rs.getString(4)),
                Language.valueOf(rs.getString(5)),
                rs.getString(6),
                rs.getString(7).trim(),
                parse(rs.getString(8)),
                Instant.ofEpochMilli(rs.getLong(9)),
                rs.getString(10),
                decidedAt,
                Optional.ofNullable(rs.getString(12)));
    }

    private static List<String> otherNames(Connection c, String name) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM tool WHERE name <> ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static void decide(Connection c, String name, int version, ToolState state, Actor actor, long now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE tool_version SET state = ?, decided_at = ?,"
                + " decided_by = ? WHERE name = ? AND version = ?")) {
            ps.setString(1, state.name());
            ps.setLong(2, now);
            ps.setString(3, actor.id());
            ps.setString(4, name);
            ps.setInt(5, version);
            ps.executeUpdate();
        }
        touch(c, name, now);
    }

    private static void setServing(Connection c, String name, int version, long now) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("UPDATE tool SET serving_version = ?, updated_at = ? WHERE name = ?")) {
            ps.setInt(1, version);
            ps.setLong(2, now);
            ps.setString(3, name);
            ps.executeUpdate();
        }
    }

    private static void touch(Connection c, String name, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE tool SET updated_at = ? WHERE name = ?")) {
            ps.setLong(1, now);
            ps.setString(2, name);
            ps.executeUpdate();
        }
    }

    private static ObjectNode parse(String json) {
        try {
            return (ObjectNode) MAPPER.readTree(json);
        } catch (JsonProcessingException | ClassCastException e) {
            throw RegistryException.storage("a stored manifest is not a JSON object", e);
        }
    }

    private static RegistryException unknownTool(String name) {
        return new RegistryException(Reason.NOT_FOUND, "no tool named " + PoisoningScanner.escape("'" + name + "'"));
    }

    private static RegistryException unknownVersion(String name, int version) {
        return new RegistryException(
                Reason.NOT_FOUND, "tool " + PoisoningScanner.escape("'" + name + "'") + " has no version " + version);
    }

    private static void checkName(String name) {
        if (name == null || !TOOL_NAME.matcher(name).matches()) {
            throw unknownTool(String.valueOf(name));
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new RegistryException(Reason.UNAVAILABLE, "the registry is closed");
        }
    }
}

package dev.atoll.gateway.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.audit.AuditAction;
import dev.atoll.gateway.audit.internal.AuditEntry;
import dev.atoll.gateway.audit.internal.AuditStore;
import dev.atoll.gateway.registry.Actor;
import dev.atoll.gateway.registry.PoisoningSign;
import dev.atoll.gateway.registry.RegistryException;
import dev.atoll.gateway.registry.RegistryException.Reason;
import dev.atoll.gateway.registry.SandboxKind;
import dev.atoll.gateway.registry.UpstreamInfo;
import dev.atoll.gateway.registry.UpstreamLimits;
import dev.atoll.gateway.registry.UpstreamSpec;
import dev.atoll.gateway.registry.UpstreamTool;
import dev.atoll.gateway.registry.UpstreamToolState;
import dev.atoll.gateway.registry.Upstreams;
import dev.atoll.gateway.registry.VolumeMount;
import dev.atoll.gateway.store.Canonical;
import dev.atoll.gateway.store.Database;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** {@link Upstreams} on the registry database (tables {@code upstream} and {@code upstream_tool}). */
final class UpstreamStore implements Upstreams {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final int MAX_DEFINITION_CHARS = 256 * 1024;

    private final Database db;

    UpstreamStore(Database db) {
        this.db = db;
    }

    @Override
    public UpstreamInfo add(UpstreamSpec spec, Actor actor) {
        return db.inAdminTransaction("adding upstream " + spec.name(), c -> {
            if (exists(c, spec.name())) {
                throw new RegistryException(
                        Reason.CONFLICT, "an upstream named '" + spec.name() + "' exists; " + "remove it first");
            }
            refuseNamespaceClash(c, spec.name(), "add");
            long now = System.currentTimeMillis();
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO upstream (name, kind, spec, approved, created_at,"
                            + " created_by) VALUES (?, ?, ?, FALSE, ?, ?)")) {
                ps.setString(1, spec.name());
                ps.setString(2, spec.kind().id());
                ps.setString(3, specJson(spec).toString());
                ps.setLong(4, now);
                ps.setString(5, actor.id());
                ps.executeUpdate();
            }
            ObjectNode detail = specJson(spec);
            detail.remove("env"); // values may be secrets; keys stay
            detail.set(
                    "envKeys",
                    F.arrayNode()
                            .addAll(spec.env().keySet().stream()
                                    .sorted()
                                    .map(F::textNode)
                                    .toList()));
            AuditStore.append(
                    c,
                    db,
                    List.of(AuditEntry.of(
                            actor.id(), AuditAction.UPSTREAM_ADD, spec.name(), Optional.empty(), "", detail)));
            JdbcRegistry.bumpRevision(c); // every node starts it (docs/fleet.md)
            return read(c, spec.name()).orElseThrow();
        });
    }

    /** Separator between an upstream's name and its tools' names in the served catalogue. */
    static final String SEPARATOR = "__";

    /**
     * The upstream whose namespace ({@code NAME__*}, where its tools are served) a tool name falls in,
     * if that upstream is registered. Upstream names have no underscore, so the part before the first
     * {@code __} is the only candidate.
     *
     * @param c the connection of the caller's transaction
     * @param toolName an isolate tool's name
     * @return the upstream's name, or empty
     */
    static Optional<String> namespaceOwner(Connection c, String toolName) throws SQLException {
        int i = toolName.indexOf(SEPARATOR);
        if (i <= 0) {
            return Optional.empty();
        }
        String upstream = toolName.substring(0, i);
        return exists(c, upstream) ? Optional.of(upstream) : Optional.empty();
    }

    /** Isolate tools (any state) whose names lie in an upstream's namespace: a name belongs to one source. */
    private static void refuseNamespaceClash(Connection c, String upstream, String verb) throws SQLException {
        List<String> clash = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM tool ORDER BY name");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                if (rs.getString(1).startsWith(upstream + SEPARATOR)) {
                    clash.add(rs.getString(1));
                }
            }
        }
        if (!clash.isEmpty()) {
            throw new RegistryException(
                    Reason.CONFLICT,
                    "cannot " + verb + " upstream '" + upstream + "': its tools are "
                            + "served as " + upstream + SEPARATOR + "<tool>, and uploaded tool(s) " + clash
                            + " already hold "
                            + "names there (a name belongs to one source); delete them or choose another upstream name");
        }
    }

    @Override
    public List<UpstreamInfo> list() {
        return db.read("listing upstreams", c -> {
            List<String> names = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM upstream ORDER BY name");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            List<UpstreamInfo> out = new ArrayList<>();
            for (String n : names) {
                read(c, n).ifPresent(out::add);
            }
            return out;
        });
    }

    @Override
    public Optional<UpstreamInfo> get(String name) {
        return db.read("reading upstream " + name, c -> read(c, name));
    }

    @Override
    public UpstreamInfo approve(String name, Actor actor) {
        return db.inAdminTransaction("approving upstream " + name, c -> {
            lock(c, name);
            refuseNamespaceClash(c, name, "approve");
            List<UpstreamTool> tools = tools(c, name, List.of());
            if (tools.stream().noneMatch(UpstreamTool::present)) {
                throw new RegistryException(
                        Reason.INVALID_STATE,
                        "upstream '" + name + "' has not listed any tools "
                                + "yet (is it running? see 'atoll upstream logs " + name + "')");
            }
            long now = System.currentTimeMillis();
            ArrayNode pinned = F.arrayNode();
            List<AuditEntry> audit = new ArrayList<>();
            for (UpstreamTool t : tools) {
                if (!t.present() || t.serving()) {
                    continue;
                }
                int version = t.version() + 1;
                try (PreparedStatement ps =
                        c.prepareStatement("UPDATE upstream_tool SET state = 'APPROVED', pinned_digest"
                                + " = current_digest, pinned_def = current_def, pin_version = ?, updated_at = ? WHERE upstream = ?"
                                + " AND tool = ?")) {
                    ps.setInt(1, version);
                    ps.setLong(2, now);
                    ps.setString(3, name);
                    ps.setString(4, t.name());
                    ps.executeUpdate();
                }
                pinned.addObject()
                        .put("tool", t.name())
                        .put("digest", t.digest())
                        .put("version", version)
                        .put("wasState", t.state().name());
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE upstream SET approved = TRUE, approved_at = ?," + " approved_by = ? WHERE name = ?")) {
                ps.setLong(1, now);
                ps.setString(2, actor.id());
                ps.setString(3, name);
                ps.executeUpdate();
            }
            ObjectNode detail = F.objectNode();
            detail.set("pinned", pinned);
            audit.add(AuditEntry.of(actor.id(), AuditAction.UPSTREAM_APPROVE, name, Optional.empty(), "", detail));
            AuditStore.append(c, db, audit);
            JdbcRegistry.bumpRevision(c); // every node serves the pinned tools (docs/fleet.md)
            return read(c, name).orElseThrow();
        });
    }

    @Override
    public void remove(String name, Actor actor) {
        db.adminUpdate("removing upstream " + name, c -> {
            lock(c, name);
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM upstream_tool WHERE upstream = ?")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM upstream WHERE name = ?")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
            AuditStore.append(
                    c,
                    db,
                    List.of(AuditEntry.of(
                            actor.id(), AuditAction.UPSTREAM_REMOVE, name, Optional.empty(), "", F.objectNode())));
            JdbcRegistry.bumpRevision(c); // every node stops it (docs/fleet.md)
        });
    }

    @Override
    public Observation observe(String name, List<ObjectNode> reported) {
        Map<String, ObjectNode> now = new TreeMap<>();
        for (ObjectNode t : reported) {
            String tool = t.path("name").asText();
            String def = Canonical.json(t);
            if (tool.isEmpty() || tool.length() > 128 || def.length() > MAX_DEFINITION_CHARS) {
                continue; // not a usable tool; never served
            }
            now.putIfAbsent(tool, t);
        }
        return db.inTransaction("recording the tools of upstream " + name, c -> {
            lock(c, name);
            Map<String, UpstreamTool> known = new HashMap<>();
            tools(c, name, List.of()).forEach(t -> known.put(t.name(), t));
            List<String> pulled = new ArrayList<>();
            List<String> added = new ArrayList<>();
            List<String> gone = new ArrayList<>();
            List<AuditEntry> audit = new ArrayList<>();
            long at = System.currentTimeMillis();
            for (var e : now.entrySet()) {
                String def = Canonical.json(e.getValue());
                String digest = Canonical.sha256Hex(def.getBytes(StandardCharsets.UTF_8));
                UpstreamTool k = known.get(e.getKey());
                if (k == null) {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO upstream_tool (upstream, tool, state,"
                            + " present, current_digest, current_def, pin_version, updated_at) VALUES (?, ?,"
                            + " 'QUARANTINED', TRUE, ?, ?, 0, ?)")) {
                        ps.setString(1, name);
                        ps.setString(2, e.getKey());
                        ps.setString(3, digest);
                        ps.setString(4, def);
                        ps.setLong(5, at);
                        ps.executeUpdate();
                    }
                    added.add(e.getKey());
                    audit.add(AuditEntry.of(
                            "system",
                            AuditAction.UPSTREAM_TOOL_NEW,
                            name + "__" + e.getKey(),
                            Optional.empty(),
                            digest,
                            signsDetail(e.getKey(), e.getValue(), now.keySet())));
                    continue;
                }
                if (k.present() && k.digest().equals(digest)) {
                    continue;
                }
                UpstreamToolState state = k.state();
                if (state == UpstreamToolState.APPROVED && !k.pinnedDigest().equals(Optional.of(digest))) {
                    state = UpstreamToolState.PULLED;
                    pulled.add(e.getKey());
                    ObjectNode detail = signsDetail(e.getKey(), e.getValue(), now.keySet());
                    detail.put("pinnedDigest", k.pinnedDigest().orElse(""));
                    detail.put("reportedDigest", digest);
                    audit.add(new AuditEntry(
                            at,
                            "system",
                            "",
                            AuditAction.UPSTREAM_TOOL_PULLED.wireName(),
                            name + "__" + e.getKey(),
                            Optional.of(k.version()),
                            k.pinnedDigest().orElse(""),
                            "pulled",
                            dev.atoll.gateway.audit.internal.AuditJson.detail(detail)));
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE upstream_tool SET state = ?, present = TRUE,"
                        + " current_digest = ?, current_def = ?, updated_at = ? WHERE upstream = ? AND tool = ?")) {
                    ps.setString(1, state.name());
                    ps.setString(2, digest);
                    ps.setString(3, def);
                    ps.setLong(4, at);
                    ps.setString(5, name);
                    ps.setString(6, e.getKey());
                    ps.executeUpdate();
                }
            }
            for (UpstreamTool k : known.values()) {
                if (k.present() && !now.containsKey(k.name())) {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE upstream_tool SET present = FALSE,"
                            + " updated_at = ? WHERE upstream = ? AND tool = ?")) {
                        ps.setLong(1, at);
                        ps.setString(2, name);
                        ps.setString(3, k.name());
                        ps.executeUpdate();
                    }
                    gone.add(k.name());
                }
            }
            AuditStore.append(c, db, audit);
            Observation o = new Observation(pulled, added, gone);
            if (o.changed()) {
                JdbcRegistry.bumpRevision(c); // a rug pull seen by one node pulls the tool on every node
            }
            return o;
        });
    }

    private static ObjectNode signsDetail(String tool, ObjectNode def, Set<String> others) {
        ObjectNode d = F.objectNode();
        ArrayNode signs = d.putArray("poisoningSigns");
        for (PoisoningSign s : PoisoningScanner.scan(
                tool, def, others.stream().filter(o -> !o.equals(tool)).toList())) {
            signs.addObject()
                    .put("kind", s.kind().name())
                    .put("location", s.location())
                    .put("evidence", s.evidence());
        }
        return d;
    }

    // ---------------------------------------------------------------- reading

    private static boolean exists(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM upstream WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void lock(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM upstream WHERE name = ? FOR UPDATE")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new RegistryException(Reason.NOT_FOUND, "no upstream named '" + name + "'");
                }
            }
        }
    }

    private static Optional<UpstreamInfo> read(Connection c, String name) throws SQLException {
        UpstreamSpec spec;
        boolean approved;
        Instant created;
        String by;
        Optional<Instant> appr;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT spec, approved, created_at, created_by, approved_at" + " FROM upstream WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                spec = spec(rs.getString(1));
                approved = rs.getBoolean(2);
                created = Instant.ofEpochMilli(rs.getLong(3));
                by = rs.getString(4);
                long approvedAt = rs.getLong(5);
                appr = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(approvedAt));
            }
        }
        return Optional.of(new UpstreamInfo(spec, approved, created, by, appr, tools(c, name, List.of())));
    }

    private static List<UpstreamTool> tools(Connection c, String name, List<String> unused) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT tool, state, present, current_digest, current_def,"
                + " pinned_digest, pinned_def, pin_version FROM upstream_tool WHERE upstream = ? ORDER BY tool")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Object[] {
                        rs.getString(1),
                        rs.getString(2),
                        rs.getBoolean(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getInt(8)
                    });
                }
            }
        }
        List<String> names = rows.stream().map(r -> (String) r[0]).toList();
        List<UpstreamTool> out = new ArrayList<>();
        for (Object[] r : rows) {
            String tool = (String) r[0];
            ObjectNode def = parse((String) r[4]);
            out.add(new UpstreamTool(
                    name,
                    tool,
                    UpstreamToolState.valueOf((String) r[1]),
                    (Boolean) r[2],
                    ((String) r[3]).trim(),
                    def,
                    Optional.ofNullable((String) r[5]).map(String::trim),
                    Optional.ofNullable((String) r[6]).map(UpstreamStore::parse),
                    (Integer) r[7],
                    PoisoningScanner.scan(
                            tool,
                            def,
                            names.stream().filter(n -> !n.equals(tool)).toList())));
        }
        return out;
    }

    private static ObjectNode parse(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (IOException | ClassCastException e) {
            throw RegistryException.storage("a stored upstream definition is not a JSON object", e);
        }
    }

    /** The JSON form of a spec, as stored. */
    static ObjectNode specJson(UpstreamSpec s) {
        ObjectNode n = F.objectNode();
        n.put("name", s.name()).put("kind", s.kind().id());
        s.image().ifPresent(i -> n.put("image", i));
        ArrayNode cmd = n.putArray("command");
        s.command().forEach(cmd::add);
        ObjectNode env = n.putObject("env");
        new TreeMap<>(s.env()).forEach(env::put);
        ArrayNode hosts = n.putArray("allowHosts");
        s.allowHosts().forEach(hosts::add);
        ArrayNode vols = n.putArray("volumes");
        s.volumes().forEach(v -> vols.addObject().put("name", v.name()).put("path", v.path()));
        n.putObject("limits")
                .put("memoryBytes", s.limits().memoryBytes())
                .put("cpus", s.limits().cpus())
                .put("pids", s.limits().pids());
        return n;
    }

    /** Reads a stored spec. */
    static UpstreamSpec spec(String json) {
        JsonNode n = parse(json);
        List<String> cmd = new ArrayList<>();
        n.path("command").forEach(x -> cmd.add(x.asText()));
        Map<String, String> env = new LinkedHashMap<>();
        n.path("env").properties().forEach(e -> env.put(e.getKey(), e.getValue().asText()));
        List<String> hosts = new ArrayList<>();
        n.path("allowHosts").forEach(x -> hosts.add(x.asText()));
        List<VolumeMount> vols = new ArrayList<>();
        n.path("volumes")
                .forEach(v -> vols.add(
                        new VolumeMount(v.path("name").asText(), v.path("path").asText())));
        JsonNode l = n.path("limits");
        return new UpstreamSpec(
                n.path("name").asText(),
                SandboxKind.of(n.path("kind").asText()),
                Optional.ofNullable(n.get("image")).map(JsonNode::asText),
                cmd,
                env,
                hosts,
                vols,
                new UpstreamLimits(
                        l.path("memoryBytes").asLong(),
                        l.path("cpus").asDouble(),
                        l.path("pids").asInt()));
    }
}

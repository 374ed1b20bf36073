package dev.atoll.gateway.internal.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.audit.AuditAction;
import dev.atoll.gateway.audit.AuditQuery;
import dev.atoll.gateway.audit.AuditRecord;
import dev.atoll.gateway.audit.CheckpointVerification;
import dev.atoll.gateway.audit.VerifyResult;
import dev.atoll.gateway.registry.Actor;
import dev.atoll.gateway.registry.CreatedToken;
import dev.atoll.gateway.registry.DeployResult;
import dev.atoll.gateway.registry.PoisoningSign;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.RegistryException;
import dev.atoll.gateway.registry.TokenInfo;
import dev.atoll.gateway.registry.TokenKind;
import dev.atoll.gateway.registry.ToolChanges;
import dev.atoll.gateway.registry.ToolInfo;
import dev.atoll.gateway.registry.ToolState;
import dev.atoll.gateway.registry.ToolVersion;
import dev.atoll.runtime.AtollRuntimeException;
import dev.atoll.runtime.Language;
import dev.atoll.runtime.LimitOverrides;
import dev.atoll.runtime.Limits;
import dev.atoll.runtime.ToolSource;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The admin API, JSON over HTTP, every route but {@code /health} behind an admin bearer token. Each
 * mutation is recorded in the audit log by the registry in the same transaction.
 *
 * <pre>
 * GET    /health
 * GET    /v1/tools                                  tools with versions and states
 * POST   /v1/tools?file=NAME.mjs                    upload a tool file → new quarantined version
 * GET    /v1/tools/{name}
 * GET    /v1/tools/{name}/versions/{v}/changes      diff vs last approved + poisoning signs
 * POST   /v1/tools/{name}/approve   {"version":N, "acceptWarnings":true}
 *                                            (default: latest quarantined; a version with poisoning
 *                                            signs needs acceptWarnings, else 409 unaccepted_warnings)
 * POST   /v1/tools/{name}/reject    {"version":N}
 * POST   /v1/tools/{name}/rollback  {"to":N}
 * POST   /v1/tools/{name}/disable | /enable
 * DELETE /v1/tools/{name}
 * GET    /v1/audit?tool=&tenant=&action=&from=&to=&after=&limit=
 * GET    /v1/audit/verify | /v1/audit/head
 * POST   /v1/audit/verify  (application/x-ndjson: a checkpoint file) same answer + checkpointsChecked
 * GET    /v1/tokens ; POST /v1/tokens {"kind","tenant","scopes","label"} ; DELETE /v1/tokens/{id}
 *                                            (ADMIN tokens are unscoped: tenant "default", scopes ["*"])
 * </pre>
 *
 * <p>A tool version's JSON carries its whole manifest and its limits: requested, effective (the
 * runtime's defaults with the requests applied, capped by the operator's maxima) and which requests
 * were capped, so that a reviewer sees what a first version would do before approving it.
 */
public final class AdminHttp implements HttpService {

    private static final long MAX_UPLOAD = ToolSource.MAX_CODE_CHARS * 4L;

    private final Registry registry;
    private final BiFunction<ToolSource, Actor, DeployResult> deployer;
    private final Runnable afterChange;
    private final ObjectMapper json;
    private final AdminJson web;
    private final Limits defaults;
    private final Limits maxima;

    /**
     * Creates the service.
     *
     * @param registry the registry
     * @param deployer loads and deploys an uploaded tool file
     * @param afterChange called after a change to the catalogue (refreshes what MCP serves)
     * @param json the mapper
     * @param defaults the runtime's default per-call limits (already capped by the maxima)
     * @param maxima the operator's maxima
     */
    public AdminHttp(
            Registry registry,
            BiFunction<ToolSource, Actor, DeployResult> deployer,
            Runnable afterChange,
            ObjectMapper json,
            Limits defaults,
            Limits maxima) {
        this.defaults = java.util.Objects.requireNonNull(defaults, "defaults");
        this.maxima = java.util.Objects.requireNonNull(maxima, "maxima");
        this.registry = registry;
        this.deployer = deployer;
        this.afterChange = afterChange;
        this.json = json;
        this.web = new AdminJson(registry, json);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get(
                "/health",
                (req, res) -> web.send(res, 200, json.createObjectNode().put("status", "UP")));
        rules.get("/v1/tools", h((req, a) -> {
            ArrayNode out = json.createArrayNode();
            registry.list().forEach(t -> out.add(tool(t)));
            return out;
        }));
        rules.post("/v1/tools", h(this::upload));
        rules.get(
                "/v1/tools/{name}",
                h((req, a) -> tool(registry.tool(AdminJson.name(req))
                        .orElseThrow(() -> new RegistryException(
                                RegistryException.Reason.NOT_FOUND, "no tool named " + AdminJson.name(req))))));
        rules.get(
                "/v1/tools/{name}/versions/{version}/changes",
                h((req, a) -> changes(registry.changes(
                        AdminJson.name(req),
                        intParam(req.path().pathParameters().get("version"), "version")))));
        rules.post("/v1/tools/{name}/approve", h((req, a) -> {
            String name = AdminJson.name(req);
            JsonNode body = body(req);
            int version = body.has("version") ? requiredInt(body, "version") : latestQuarantined(name);
            JsonNode accept = body.path("acceptWarnings");
            if (!accept.isMissingNode() && !accept.isBoolean()) {
                throw new BadRequest("\"acceptWarnings\" must be true or false");
            }
            return approve(name, version, accept.asBoolean(false), a);
        }));
        rules.post("/v1/tools/{name}/reject", h((req, a) -> {
            ToolVersion v = registry.reject(AdminJson.name(req), requiredInt(body(req), "version"), a);
            return version(v);
        }));
        rules.post("/v1/tools/{name}/rollback", h((req, a) -> {
            ToolInfo t = registry.rollback(AdminJson.name(req), requiredInt(body(req), "to"), a);
            afterChange.run();
            return tool(t);
        }));
        rules.post("/v1/tools/{name}/disable", h((req, a) -> {
            ToolInfo t = registry.disable(AdminJson.name(req), a);
            afterChange.run();
            return tool(t);
        }));
        rules.post("/v1/tools/{name}/enable", h((req, a) -> {
            ToolInfo t = registry.enable(AdminJson.name(req), a);
            afterChange.run();
            return tool(t);
        }));
        rules.delete("/v1/tools/{name}", h((req, a) -> {
            registry.delete(AdminJson.name(req), a);
            afterChange.run();
            return json.createObjectNode().put("deleted", AdminJson.name(req));
        }));
        rules.get("/v1/audit/verify", h((req, a) -> verifyJson(registry.audit().verify())));
        rules.post("/v1/audit/verify", h((req, a) -> {
            String type =
                    req.headers().contentType().map(t -> t.mediaType().text()).orElse("");
            if (!type.equalsIgnoreCase("application/x-ndjson")) {
                throw new BadRequest("send the checkpoint file with Content-Type: application/x-ndjson");
            }
            CheckpointVerification v;
            try (InputStream in = req.content().inputStream()) {
                v = registry.audit().verifyAgainst(in);
            }
            return verifyJson(v.result()).put("checkpointsChecked", v.checkpointsChecked());
        }));
        rules.get("/v1/audit/head", h((req, a) -> {
            var head = registry.audit().head();
            return json.createObjectNode().put("seq", head.seq()).put("hash", head.hash());
        }));
        rules.get("/v1/audit", h((req, a) -> {
            registry.audit().flush();
            var q = req.query();
            AuditQuery query = new AuditQuery(
                    q.first("tool").asOptional(),
                    q.first("tenant").asOptional(),
                    q.first("action").asOptional(),
                    instant(q.first("from").asOptional()),
                    instant(q.first("to").asOptional()),
                    q.first("after")
                            .asOptional()
                            .map(s -> (long) intParam(s, "after"))
                            .orElse(0L),
                    q.first("limit").asOptional().map(s -> intParam(s, "limit")).orElse(100));
            ArrayNode out = json.createArrayNode();
            for (AuditRecord r : registry.audit().query(query)) {
                out.add(json.readTree(r.toJsonLine()));
            }
            return out;
        }));
        rules.get("/v1/tokens", h((req, a) -> {
            ArrayNode out = json.createArrayNode();
            registry.tokens().list().forEach(t -> out.add(token(t)));
            return out;
        }));
        rules.post("/v1/tokens", h((req, a) -> {
            JsonNode b = body(req);
            String kindName = b.path("kind").asText("MCP").toUpperCase(java.util.Locale.ROOT);
            TokenKind kind;
            try {
                kind = TokenKind.valueOf(kindName);
            } catch (IllegalArgumentException e) {
                throw new BadRequest(
                        "\"kind\" must be MCP or ADMIN, got '" + b.path("kind").asText() + "'");
            }
            Set<String> scopes = new HashSet<>();
            b.path("scopes").forEach(s -> scopes.add(s.asText()));
            if (scopes.isEmpty()) {
                scopes.add("*");
            }
            String tenant = b.path("tenant").asText(AdminJson.DEFAULT_TENANT);
            if (kind == TokenKind.ADMIN && (!tenant.equals(AdminJson.DEFAULT_TENANT) || !scopes.equals(Set.of("*")))) {
                throw new BadRequest("admin tokens cannot be scoped: an ADMIN token manages every tenant and tool, "
                        + "so \"tenant\" must be \"default\" and \"scopes\" [\"*\"] (got tenant '" + tenant
                        + "', scopes " + new java.util.TreeSet<>(scopes) + "); scope MCP tokens instead");
            }
            CreatedToken t = registry.tokens()
                    .create(kind, tenant, scopes, b.path("label").asText("admin api"), a);
            ObjectNode n = token(t.info());
            n.put("token", t.plaintext());
            return n;
        }));
        rules.delete(
                "/v1/tokens/{id}",
                h((req, a) -> token(
                        registry.tokens().revoke(req.path().pathParameters().get("id"), a))));
    }

    /** The JSON of a chain verification, for GET and POST /v1/audit/verify. */
    private ObjectNode verifyJson(VerifyResult r) {
        ObjectNode n = json.createObjectNode().put("intact", r.intact()).put("checked", r.checked());
        switch (r) {
            case VerifyResult.Intact i ->
                n.put("headSeq", i.head().seq()).put("headHash", i.head().hash());
            case VerifyResult.Broken b ->
                n.put("brokenAt", b.seq()).put("problem", b.problem().name()).put("message", b.message());
        }
        return n;
    }

    private Handler h(AdminJson.Action action) {
        return web.handler("/v1/tools", action, e -> switch (e) {
            case AtollRuntimeException x -> Optional.of(new AdminJson.Failure(422, "invalid_tool"));
            case BadRequest x -> Optional.of(new AdminJson.Failure(400, "bad_request"));
            case UnacceptedWarnings x -> Optional.of(new AdminJson.Failure(409, "unaccepted_warnings"));
            case IllegalArgumentException x -> Optional.of(new AdminJson.Failure(400, "bad_request"));
            default -> Optional.empty();
        });
    }

    private Object upload(ServerRequest req, Actor actor) throws IOException {
        String file = req.query().first("file").asOptional().orElse("tool.mjs");
        java.util.Optional<Language> language = Language.ofFileName(file);
        if (!file.matches("[A-Za-z0-9._-]{1,128}") || language.isEmpty()) {
            throw new BadRequest("?file= must be a .mjs, .js or .py file name ([A-Za-z0-9._-]), got '" + file + "'");
        }
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            bytes = in.readNBytes((int) MAX_UPLOAD + 1);
        }
        if (bytes.length > MAX_UPLOAD) {
            throw new BadRequest("the tool file is larger than " + MAX_UPLOAD + " bytes");
        }
        String code;
        try {
            code = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadRequest("the tool file is not valid UTF-8");
        }
        DeployResult r = deployer.apply(new ToolSource(language.get(), file, code), actor);
        ObjectNode n = version(r.version());
        n.put("created", r.created());
        n.set(
                "changes",
                changes(registry.changes(r.version().name(), r.version().version())));
        return n;
    }

    /**
     * Approves a version; one with poisoning signs only when {@code acceptWarnings}, recording the
     * accepted signs in a {@code tool.approve} audit record (shared with the web UI).
     *
     * @throws UnacceptedWarnings when the version has signs that were not accepted
     */
    ObjectNode approve(String name, int version, boolean acceptWarnings, Actor a) {
        List<PoisoningSign> signs = registry.changes(name, version).signs();
        if (!signs.isEmpty() && !acceptWarnings) {
            throw new UnacceptedWarnings(name + " v" + version + " has " + signs.size() + " poisoning sign(s): "
                    + describe(signs) + ". Review them (atoll tools changes " + name + " --version " + version
                    + ") and approve with {\"acceptWarnings\": true} (atoll tools approve --yes) to accept them");
        }
        ToolVersion v = registry.approve(name, version, a);
        ObjectNode out = version(v);
        if (!signs.isEmpty()) {
            ArrayNode accepted = signs(signs);
            out.set("acceptedWarnings", accepted);
            ObjectNode detail = json.createObjectNode()
                    .put("tool", name)
                    .put("version", version)
                    .put("digest", v.digest());
            detail.set("acceptedWarnings", accepted.deepCopy());
            registry.audit().record(a.id(), AuditAction.APPROVE, "", "warnings_accepted", detail);
        }
        afterChange.run();
        return out;
    }

    private int latestQuarantined(String name) {
        ToolInfo t = registry.tool(name)
                .orElseThrow(() -> new RegistryException(RegistryException.Reason.NOT_FOUND, "no tool named " + name));
        return t.versions().stream()
                .filter(v -> v.state() == ToolState.QUARANTINED)
                .max(Comparator.comparingInt(ToolVersion::version))
                .orElseThrow(() -> new RegistryException(
                        RegistryException.Reason.INVALID_STATE,
                        name + " has no quarantined version to approve; name one with {\"version\": N}"))
                .version();
    }

    private ObjectNode tool(ToolInfo t) {
        ObjectNode n = json.createObjectNode();
        n.put("name", t.name()).put("source", t.source()).put("enabled", t.enabled());
        t.servingVersion().ifPresentOrElse(v -> n.put("servingVersion", v), () -> n.putNull("servingVersion"));
        t.regions().forEach(n.putArray("regions")::add); // [] = every region (docs/fleet.md)
        ArrayNode vs = n.putArray("versions");
        t.versions().forEach(v -> vs.add(version(v)));
        return n;
    }

    private ObjectNode version(ToolVersion v) {
        ObjectNode n = json.createObjectNode();
        n.put("name", v.name())
                .put("version", v.version())
                .put("digest", v.digest())
                .put("state", v.state().name())
                .put("fileName", v.fileName())
                .put("createdAt", v.createdAt().toString())
                .put("createdBy", v.createdBy());
        v.decidedAt().ifPresent(d -> n.put("decidedAt", d.toString()));
        v.decidedBy().ifPresent(d -> n.put("decidedBy", d));
        n.put("description", v.description());
        ObjectNode manifest = v.manifest();
        n.set("manifest", manifest);
        n.set("limits", limits(manifest.path("limits")));
        return n;
    }

    /** Requested, effective and capped limits of a manifest's {@code limits} object. */
    ObjectNode limits(JsonNode requested) {
        ObjectNode n = json.createObjectNode();
        n.set("requested", requested.isObject() ? requested.deepCopy() : json.createObjectNode());
        LimitOverrides o = new LimitOverrides(
                opt(requested, "cpuMs"),
                opt(requested, "wallMs"),
                opt(requested, "memoryMb"),
                opt(requested, "outputKb"),
                opt(requested, "logKb"));
        Limits e = defaults.withOverrides(o, maxima);
        n.putObject("effective")
                .put("cpuMs", e.cpu().toMillis())
                .put("wallMs", e.wall().toMillis())
                .put("memoryMb", e.memoryBytes() >> 20)
                .put("outputKb", e.outputBytes() >> 10)
                .put("logKb", e.logBytes() >> 10)
                .put("logEntries", e.logEntries());
        ObjectNode capped = n.putObject("capped");
        capIf(capped, "cpuMs", o.cpuMs(), maxima.cpu().toMillis());
        capIf(capped, "wallMs", o.wallMs(), maxima.wall().toMillis());
        capIf(capped, "memoryMb", o.memoryMb(), maxima.memoryBytes() >> 20);
        capIf(capped, "outputKb", o.outputKb(), maxima.outputBytes() >> 10);
        capIf(capped, "logKb", o.logKb(), maxima.logBytes() >> 10);
        return n;
    }

    private static java.util.OptionalLong opt(JsonNode limits, String key) {
        JsonNode v = limits.path(key);
        return v.canConvertToLong() ? java.util.OptionalLong.of(v.asLong()) : java.util.OptionalLong.empty();
    }

    /** Records {@code key: {"requested": r, "maximum": max}} when the request exceeds the maximum. */
    private static void capIf(ObjectNode capped, String key, java.util.OptionalLong requested, long max) {
        if (requested.isPresent() && requested.getAsLong() > max) {
            capped.putObject(key).put("requested", requested.getAsLong()).put("maximum", max);
        }
    }

    private ArrayNode signs(List<PoisoningSign> signs) {
        ArrayNode out = json.createArrayNode();
        for (PoisoningSign s : signs) {
            out.addObject()
                    .put("kind", s.kind().name())
                    .put("location", s.location())
                    .put("evidence", s.evidence());
        }
        return out;
    }

    private static String describe(List<PoisoningSign> signs) {
        StringBuilder b = new StringBuilder();
        for (PoisoningSign s : signs) {
            b.append(b.isEmpty() ? "" : "; ")
                    .append(s.kind().name())
                    .append(" in ")
                    .append(s.location());
        }
        return b.toString();
    }

    private ObjectNode changes(ToolChanges c) {
        ObjectNode n = json.createObjectNode();
        n.put("version", c.version());
        c.comparedTo().ifPresentOrElse(v -> n.put("comparedTo", v), () -> n.putNull("comparedTo"));
        ArrayNode list = n.putArray("changes");
        for (ToolChanges.Change ch : c.changes()) {
            ObjectNode o = list.addObject().put("field", ch.field().name()).put("key", ch.key());
            o.set("before", ch.before());
            o.set("after", ch.after());
        }
        n.set("poisoningSigns", signs(c.signs()));
        return n;
    }

    private ObjectNode token(TokenInfo t) {
        ObjectNode n = json.createObjectNode();
        n.put("id", t.id())
                .put("kind", t.kind().name())
                .put("tenant", t.tenant())
                .put("label", t.label())
                .put("createdAt", t.createdAt().toString())
                .put("createdBy", t.createdBy());
        ArrayNode s = n.putArray("scopes");
        t.scopes().stream().sorted().forEach(s::add);
        t.revokedAt().ifPresent(r -> n.put("revokedAt", r.toString()));
        return n;
    }

    private JsonNode body(ServerRequest req) throws IOException {
        JsonNode cached = req.context().get("atoll.body", JsonNode.class).orElse(null);
        if (cached != null) {
            return cached;
        }
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            bytes = in.readNBytes(64 * 1024 + 1);
        }
        if (bytes.length > 64 * 1024) {
            throw new BadRequest("request body too large");
        }
        JsonNode n;
        try {
            n = bytes.length == 0 ? json.createObjectNode() : json.readTree(bytes);
        } catch (IOException e) {
            throw new BadRequest("the body is not JSON");
        }
        if (!n.isObject()) {
            throw new BadRequest("the body must be a JSON object");
        }
        req.context().register("atoll.body", n);
        return n;
    }

    private static int requiredInt(JsonNode body, String field) {
        if (!body.path(field).canConvertToInt()) {
            throw new BadRequest("the body needs an integer \"" + field + "\"");
        }
        return body.get(field).asInt();
    }

    private static int intParam(String s, String what) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new BadRequest(what + " must be an integer, got '" + s + "'");
        }
    }

    private static Optional<Instant> instant(Optional<String> s) {
        try {
            return s.map(Instant::parse);
        } catch (DateTimeParseException e) {
            throw new BadRequest("times are ISO-8601 instants like 2026-01-31T12:00:00Z");
        }
    }

    /** An approval of a version with poisoning signs that did not accept them; its message names them. */
    static final class UnacceptedWarnings extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnacceptedWarnings(String message) {
            super(message, null, false, false);
        }
    }

    /** A request the API cannot act on; its message is safe to show. */
    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false);
        }
    }
}

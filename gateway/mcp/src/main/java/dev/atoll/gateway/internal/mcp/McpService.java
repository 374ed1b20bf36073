package dev.atoll.gateway.internal.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.atoll.gateway.backend.CallContext;
import dev.atoll.gateway.backend.CatalogEntry;
import dev.atoll.gateway.backend.ClientLink;
import dev.atoll.gateway.backend.FeatureSource;
import dev.atoll.gateway.backend.ToolReply;
import dev.atoll.gateway.internal.http.Caller;
import dev.atoll.gateway.internal.mcp.JsonRpc.RpcException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The MCP protocol over Streamable HTTP for both eras, negotiated per request:
 * <ul>
 *   <li>2025-03-26, 2025-06-18, 2025-11-25: {@code initialize} opens a session
 *       ({@code Mcp-Session-Id}); later requests carry it and {@code MCP-Protocol-Version};
 *       DELETE ends it; GET opens a change-notification stream;</li>
 *   <li>2026-07-28: stateless; every request carries {@code _meta} with the protocol version and
 *       client capabilities, mirrored in {@code MCP-Protocol-Version}, {@code Mcp-Method} and
 *       {@code Mcp-Name} headers that must match the body; results carry {@code resultType} (and
 *       {@code ttlMs}/{@code cacheScope} for lists); {@code subscriptions/listen} opens the change
 *       stream.</li>
 * </ul>
 */
public final class McpService {

    private static final Logger LOG = Logger.getLogger(McpService.class.getName());

    /** Session-based protocol versions, oldest first. */
    public static final List<String> LEGACY_VERSIONS = List.of("2025-03-26", "2025-06-18", "2025-11-25");
    /** Stateless protocol versions. */
    public static final List<String> STATELESS_VERSIONS = List.of("2026-07-28");

    static final String META_VERSION = "io.modelcontextprotocol/protocolVersion";
    static final String META_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
    static final String META_SERVER_INFO = "io.modelcontextprotocol/serverInfo";
    private static final Set<String> LOG_LEVELS =
            Set.of("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency");
    private static final List<String> LEVEL_ORDER =
            List.of("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency");
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Map<String, String> NO_HEADERS = Map.of();
    /** Longest URI a {@code subscriptions/listen} filter may name. */
    private static final int MAX_URI_LENGTH = 4_096;

    /** Calls a tool through the gateway's pipeline. */
    @FunctionalInterface
    public interface ToolCaller {
        /**
         * Calls the tool.
         *
         * @param principal who calls
         * @param entry the resolved tool
         * @param arguments the arguments
         * @param context call context
         * @return the reply
         */
        ToolReply call(Caller principal, CatalogEntry entry, ObjectNode arguments, CallContext context);
    }

    /**
     * Settings of the protocol layer.
     *
     * @param serverName name in {@code serverInfo}
     * @param serverVersion version in {@code serverInfo}
     * @param pageSize tools per {@code tools/list} page
     * @param sessionIdle idle time after which a legacy session is forgotten
     * @param maxSessions most legacy sessions kept
     * @param listTtl {@code ttlMs} for list results (2026-07-28)
     */
    public record Settings(
            String serverName,
            String serverVersion,
            int pageSize,
            Duration sessionIdle,
            int maxSessions,
            Duration listTtl) {}

    /**
     * The {@code retrieve_tools} tool's settings.
     *
     * @param search the catalogue's search index
     * @param defaultResults results when a call gives no {@code limit}
     * @param maxResults the largest {@code limit}
     */
    public record ToolSearchSettings(ToolSearch search, int defaultResults, int maxResults) {}

    private final Settings settings;
    private final ServedTools catalog;
    private final ToolCaller caller;
    private final JsonRpc rpc;
    private final Streams streams;
    private final Cache<String, Session> sessions;
    private final SecureRandom random = new SecureRandom();
    private final Features features;
    private final PendingRequests pending = new PendingRequests();
    private final Optional<RetrieveTools> retrieveTools;

    /**
     * Creates the service.
     *
     * @param settings settings
     * @param catalog the live catalogue
     * @param caller the call pipeline
     * @param rpc the capped JSON parser
     * @param streams the change-notification streams
     * @param toolSearch the catalogue's search index and limits, if the tool is enabled
     * @param featureSources where resources, templates and prompts come from, in order (the isolate modules'
     *     first, then the upstream servers')
     */
    public McpService(
            Settings settings,
            ServedTools catalog,
            ToolCaller caller,
            JsonRpc rpc,
            Streams streams,
            Optional<ToolSearchSettings> toolSearch,
            List<FeatureSource> featureSources) {
        this.retrieveTools = toolSearch.map(t -> new RetrieveTools(t.search(), t.defaultResults(), t.maxResults()));
        this.settings = Objects.requireNonNull(settings, "settings");
        this.catalog = catalog;
        this.caller = caller;
        this.rpc = rpc;
        this.streams = streams;
        Features f = new Features(featureSources, caller, streams);
        this.features = f;
        this.sessions = Caffeine.newBuilder()
                .expireAfterAccess(settings.sessionIdle())
                .maximumSize(settings.maxSessions())
                .removalListener(
                        (@Nullable String key,
                                @Nullable Session value,
                                com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
                            if (key != null) {
                                f.forget(key);
                            }
                        })
                .build();
        catalog.onChange(rev -> {
            streams.broadcast(JsonRpc.notification("notifications/tools/list_changed", null));
            features.changed(streams);
        });
    }

    /**
     * Tells the listener of every resource subscription that begins, ends (by the client or with its
     * session) or is refused (the audit log's {@code resource.subscribe} and {@code resource.unsubscribe}).
     *
     * @param listener the listener (replaces the previous one; it must not block for long)
     */
    public void onSubscriptionChange(java.util.function.Consumer<SubscriptionChange> listener) {
        features.onSubscriptionChange(listener);
    }

    /**
     * Tells clients that resources and prompts changed when that happened without a catalogue change
     * (an upstream's resource or prompt list pinned, pulled or approved).
     */
    public void featuresChanged() {
        features.changed(streams);
    }

    /** Number of live legacy sessions. */
    public long sessionCount() {
        sessions.cleanUp();
        return sessions.estimatedSize();
    }

    // ------------------------------------------------------------------------------------------------
    // HTTP verbs

    /**
     * Handles a POST to the MCP endpoint.
     *
     * @param principal the authenticated caller
     * @param request the request
     * @return the reply
     */
    public McpExchange.Reply post(Caller principal, McpExchange.Request request) {
        JsonNode message;
        try {
            message = rpc.parse(request.body());
        } catch (RpcException e) {
            return json(e.httpStatus(), e.toResponse(null));
        }
        if (message.isArray()) {
            return json(
                    400,
                    JsonRpc.error(
                            null,
                            JsonRpc.INVALID_REQUEST,
                            "Invalid Request: batch requests are not supported; send one message per POST"));
        }
        if (!(message instanceof ObjectNode msg)) {
            return json(400, JsonRpc.error(null, JsonRpc.INVALID_REQUEST, "Invalid Request: expected a JSON object"));
        }
        JsonNode id = msg.get("id");
        JsonNode idForErrors = validId(id) ? id : null;
        try {
            if (!"2.0".equals(msg.path("jsonrpc").textValue())) {
                throw new RpcException(JsonRpc.INVALID_REQUEST, "Invalid Request: jsonrpc must be \"2.0\"");
            }
            if (id != null && !validId(id)) {
                throw new RpcException(JsonRpc.INVALID_REQUEST, "Invalid Request: id must be a string or an integer");
            }
            boolean isResponse = msg.has("result") || msg.has("error");
            if (isResponse) {
                if (msg.has("method")) {
                    throw new RpcException(JsonRpc.INVALID_REQUEST, "Invalid Request: a message cannot be both");
                }
                // A client's answer to a server request (sampling, elicitation) of a call of its session.
                return legacyOnlySession(request, principal)
                        .map(s -> {
                            if (id != null) {
                                JsonNode result = msg.get("result");
                                pending.answer(
                                        s.id,
                                        id.asText(),
                                        result instanceof ObjectNode ? result : null,
                                        JsonRpc.truncate(
                                                msg.path("error")
                                                        .path("message")
                                                        .asText("error"),
                                                200));
                            }
                            return (McpExchange.Reply) empty(202);
                        })
                        .orElseGet(() -> json(
                                400,
                                JsonRpc.error(
                                        idForErrors,
                                        JsonRpc.INVALID_REQUEST,
                                        "Invalid Request: clients must not send responses")));
            }
            JsonNode methodNode = msg.get("method");
            if (methodNode == null
                    || !methodNode.isTextual()
                    || methodNode.textValue().isEmpty()) {
                throw new RpcException(JsonRpc.INVALID_REQUEST, "Invalid Request: method must be a non-empty string");
            }
            JsonNode paramsNode = msg.get("params");
            if (paramsNode != null && !paramsNode.isObject()) {
                throw new RpcException(JsonRpc.INVALID_PARAMS, "Invalid params: params must be an object");
            }
            ObjectNode params = paramsNode == null ? F.objectNode() : (ObjectNode) paramsNode;
            String method = methodNode.textValue();
            if (isStateless(method, params, request)) {
                return stateless(principal, request, id, method, params);
            }
            return legacy(principal, request, id, method, params);
        } catch (RpcException e) {
            return json(e.httpStatus(), e.toResponse(idForErrors));
        }
    }

    /**
     * Handles a GET: the legacy standalone stream of change notifications.
     *
     * @param principal the caller
     * @param request the request (no body)
     * @return the reply
     */
    public McpExchange.Reply get(Caller principal, McpExchange.Request request) {
        if (!request.acceptsSse()) {
            return json(
                    406,
                    JsonRpc.error(
                            null,
                            JsonRpc.INVALID_REQUEST,
                            "Not Acceptable: a GET stream needs Accept: text/event-stream"));
        }
        Optional<String> sid = request.header("mcp-session-id");
        if (sid.isEmpty()) {
            return new McpExchange.Json(
                    405,
                    JsonRpc.error(
                            null,
                            JsonRpc.INVALID_REQUEST,
                            "Method Not Allowed: GET streams need an Mcp-Session-Id (2026-07-28 clients use subscriptions/listen)"),
                    Map.of("Allow", "POST, DELETE"));
        }
        Session s;
        try {
            s = session(sid.get(), principal);
        } catch (RpcException e) { // unknown, expired or another tenant's: one line, no stack trace
            LOG.info("GET stream refused (404): unknown session or another tenant's");
            return json(e.httpStatus(), e.toResponse(null));
        }
        Optional<Streams.Subscription> sub = streams.open(s.id);
        if (sub.isEmpty()) {
            return json(503, JsonRpc.error(null, JsonRpc.INTERNAL_ERROR, "too many open streams"));
        }
        return new McpExchange.Stream(200, List.of(), sub.get(), Map.of("Mcp-Session-Id", s.id));
    }

    /**
     * Handles a DELETE: ends a legacy session.
     *
     * @param principal the caller
     * @param request the request
     * @return the reply
     */
    public McpExchange.Reply delete(Caller principal, McpExchange.Request request) {
        Optional<String> sid = request.header("mcp-session-id");
        if (sid.isEmpty()) {
            return json(400, JsonRpc.error(null, JsonRpc.INVALID_REQUEST, "Bad Request: missing Mcp-Session-Id"));
        }
        try {
            session(sid.get(), principal);
        } catch (RpcException e) {
            return json(e.httpStatus(), e.toResponse(null));
        }
        sessions.invalidate(sid.get());
        features.forget(sid.get());
        return empty(200);
    }

    // ------------------------------------------------------------------------------------------------
    // 2025 era

    private McpExchange.Reply legacy(
            Caller principal, McpExchange.Request request, @Nullable JsonNode id, String method, ObjectNode params) {
        if ("initialize".equals(method)) {
            if (id == null) {
                throw new RpcException(JsonRpc.INVALID_REQUEST, "Invalid Request: initialize must be a request");
            }
            return initialize(principal, id, params);
        }
        Session session = sessionOf(request, principal);
        Optional<String> header = request.header("mcp-protocol-version");
        if (header.isPresent() && !LEGACY_VERSIONS.contains(header.get())) {
            throw new RpcException(
                    JsonRpc.INVALID_REQUEST,
                    "Bad Request: unsupported MCP-Protocol-Version '" + JsonRpc.truncate(header.get(), 40)
                            + "'; supported: " + String.join(", ", allVersions()));
        }
        if (id == null) {
            return empty(202); // notifications/initialized, cancelled, ...: nothing to do
        }
        if ("tools/call".equals(method) && request.acceptsSse() && wantsLive(params, session)) {
            return live(principal, params, session, id);
        }
        List<ObjectNode> notes = new ArrayList<>();
        ObjectNode result = switch (method) {
            case "ping" -> F.objectNode();
            case "tools/list" -> toolsList(principal, params);
            case "tools/call" -> toolsCall(principal, params, notes, session.logLevel, ClientLink.NONE);
            case "resources/list", "resources/templates/list", "prompts/list" ->
                features.list(principal, method, params, settings.pageSize());
            case "resources/read", "prompts/get", "completion/complete" -> features.serve(principal, method, params);
            case "resources/subscribe" -> features.subscribe(principal, session.id, params, true);
            case "resources/unsubscribe" -> features.subscribe(principal, session.id, params, false);
            case "logging/setLevel" -> {
                String level = params.path("level").asText("");
                if (!LOG_LEVELS.contains(level)) {
                    throw new RpcException(
                            JsonRpc.INVALID_PARAMS, "Invalid params: level must be one of " + LEVEL_ORDER, 200, null);
                }
                session.logLevel = level;
                yield F.objectNode();
            }
            default ->
                throw new RpcException(
                        JsonRpc.METHOD_NOT_FOUND, "Method not found: " + JsonRpc.truncate(method, 100), 200, null);
        };
        ObjectNode response = JsonRpc.result(id, result);
        Map<String, String> headers = Map.of("Mcp-Session-Id", session.id);
        if (!notes.isEmpty() && request.acceptsSse()) {
            notes.add(response);
            return new McpExchange.Sse(200, notes, headers);
        }
        return new McpExchange.Json(200, response, headers);
    }

    private McpExchange.Reply initialize(Caller principal, JsonNode id, ObjectNode params) {
        String requested = params.path("protocolVersion").asText("");
        String version = LEGACY_VERSIONS.contains(requested) ? requested : LEGACY_VERSIONS.getLast();
        if (!params.path("capabilities").isObject() && params.has("capabilities")) {
            throw new RpcException(JsonRpc.INVALID_PARAMS, "Invalid params: capabilities must be an object", 200, null);
        }
        Session s = new Session(newSessionId(), principal.tenant());
        JsonNode caps = params.path("capabilities");
        s.capabilities = java.util.stream.Stream.of("sampling", "elicitation", "roots")
                .filter(c -> caps.path(c).isObject())
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
        sessions.put(s.id, s);
        ObjectNode result = F.objectNode();
        result.put("protocolVersion", version);
        result.set("capabilities", capabilities());
        result.set("serverInfo", serverInfo());
        result.put("instructions", "Atoll runs each tool call in a fresh sandboxed isolate.");
        return new McpExchange.Json(200, JsonRpc.result(id, result), Map.of("Mcp-Session-Id", s.id));
    }

    private Session sessionOf(McpExchange.Request request, Caller principal) {
        Optional<String> sid = request.header("mcp-session-id");
        if (sid.isEmpty()) {
            throw new RpcException(
                    JsonRpc.INVALID_REQUEST,
                    "Bad Request: missing Mcp-Session-Id; send initialize first (or use protocol version 2026-07-28)");
        }
        return session(sid.get(), principal);
    }

    private Optional<Session> legacyOnlySession(McpExchange.Request request, Caller principal) {
        try {
            return Optional.of(sessionOf(request, principal));
        } catch (RpcException e) {
            return Optional.empty();
        }
    }

    private Session session(String id, Caller principal) {
        Session s = sessions.getIfPresent(id);
        // A session belongs to the tenant that opened it: another token cannot ride on it.
        if (s == null || !s.tenant.equals(principal.tenant())) {
            throw new RpcException(JsonRpc.SESSION_NOT_FOUND, "Session not found: initialize a new session", 404, null);
        }
        return s;
    }

    private String newSessionId() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    // ------------------------------------------------------------------------------------------------
    // 2026-07-28

    private static boolean isStateless(String method, ObjectNode params, McpExchange.Request request) {
        if ("initialize".equals(method)) {
            return false;
        }
        if (params.path("_meta").has(META_VERSION)
                || "server/discover".equals(method)
                || "subscriptions/listen".equals(method)) {
            return true;
        }
        Optional<String> header = request.header("mcp-protocol-version");
        return header.isPresent()
                && !LEGACY_VERSIONS.contains(header.get())
                && request.header("mcp-session-id").isEmpty();
    }

    private McpExchange.Reply stateless(
            Caller principal, McpExchange.Request request, @Nullable JsonNode id, String method, ObjectNode params) {
        Optional<String> header = request.header("mcp-protocol-version");
        if (header.isEmpty()) {
            throw new RpcException(JsonRpc.HEADER_MISMATCH, "Missing MCP-Protocol-Version header");
        }
        JsonNode meta = params.path("_meta");
        List<String> missing = new ArrayList<>();
        for (String key : List.of(META_VERSION, META_CAPABILITIES)) {
            if (!meta.has(key)) {
                missing.add(key);
            }
        }
        if (!missing.isEmpty()) {
            throw new RpcException(
                    JsonRpc.INVALID_PARAMS, "Invalid params: missing _meta keys: " + String.join(", ", missing));
        }
        String version = meta.get(META_VERSION).asText("");
        if (!version.equals(header.get())) {
            throw new RpcException(
                    JsonRpc.HEADER_MISMATCH,
                    "Header mismatch: MCP-Protocol-Version header does not match _meta protocolVersion");
        }
        if (!STATELESS_VERSIONS.contains(version)) {
            ObjectNode data = F.objectNode();
            ArrayNode supported = data.putArray("supported");
            allVersions().forEach(supported::add);
            data.put("requested", JsonRpc.truncate(version, 40));
            throw new RpcException(JsonRpc.UNSUPPORTED_VERSION, "Unsupported protocol version", 400, data);
        }
        Optional<String> mcpMethod = request.header("mcp-method");
        if (mcpMethod.isEmpty() || !mcpMethod.get().equals(method)) {
            throw new RpcException(
                    JsonRpc.HEADER_MISMATCH,
                    mcpMethod.isEmpty()
                            ? "Header mismatch: missing Mcp-Method header"
                            : "Header mismatch: Mcp-Method header does not match the body's method");
        }
        if (id == null) {
            return empty(202);
        }
        if ("tools/call".equals(method)) {
            checkNameHeader(request, params);
        }
        if ("subscriptions/listen".equals(method)) {
            return listen(principal, request, id, params);
        }
        List<ObjectNode> notes = new ArrayList<>();
        ObjectNode result = switch (method) {
            case "server/discover" -> {
                ObjectNode r = F.objectNode();
                ArrayNode sv = r.putArray("supportedVersions");
                allVersions().forEach(sv::add);
                r.set("capabilities", capabilities());
                r.putObject("_meta").set(META_SERVER_INFO, serverInfo());
                r.put("instructions", "Atoll runs each tool call in a fresh sandboxed isolate.");
                yield cacheable(r, "public");
            }
            case "ping" -> F.objectNode();
            case "tools/list" -> cacheable(toolsList(principal, params), "private");
            case "resources/list", "resources/templates/list", "prompts/list" ->
                cacheable(features.list(principal, method, params, settings.pageSize()), "private");
            case "resources/read", "prompts/get", "completion/complete" -> features.serve(principal, method, params);
            case "tools/call" -> {
                checkParamHeaders(request, params, principal);
                String level = params.path("_meta")
                        .path("io.modelcontextprotocol/logLevel")
                        .asText("info");
                yield toolsCall(principal, params, notes, LOG_LEVELS.contains(level) ? level : "info", ClientLink.NONE);
            }
            default ->
                throw new RpcException(
                        JsonRpc.METHOD_NOT_FOUND, "Method not found: " + JsonRpc.truncate(method, 100), 404, null);
        };
        if (!result.has("resultType")) {
            result.put("resultType", "complete");
        }
        ObjectNode response = JsonRpc.result(id, result);
        if (!notes.isEmpty() && request.acceptsSse()) {
            notes.add(response);
            return new McpExchange.Sse(200, notes, NO_HEADERS);
        }
        return json(200, response);
    }

    /**
     * Opens a {@code subscriptions/listen} stream (2026-07-28). {@code params.notifications} is the
     * client's filter: {@code toolsListChanged}, {@code promptsListChanged} and
     * {@code resourcesListChanged} (booleans) and {@code resourceSubscriptions} (URIs to hear
     * {@code notifications/resources/updated} for, the 2026 form of {@code resources/subscribe}).
     * Nothing the client did not ask for is sent. Each URI is subscribed as {@code resources/subscribe}
     * would (the token must see it; an upstream's server is subscribed once per URI) for as long as
     * the stream is open; a URI that is unknown, not visible or refused is left out of the
     * acknowledged filter. Every message on the stream carries the listen request's id in
     * {@code _meta["io.modelcontextprotocol/subscriptionId"]}, the acknowledgement first.
     */
    private McpExchange.Reply listen(Caller principal, McpExchange.Request request, JsonNode id, ObjectNode params) {
        if (!request.acceptsSse()) {
            throw new RpcException(
                    JsonRpc.INVALID_REQUEST, "subscriptions/listen streams: send Accept: text/event-stream");
        }
        JsonNode asked = params.has("notifications") ? params.get("notifications") : params;
        if (!asked.isObject()) {
            throw new RpcException(
                    JsonRpc.INVALID_PARAMS, "Invalid params: notifications must be an object", 200, null);
        }
        // Before 2026-07-28 was final a listen without a filter meant tool-list changes: kept for those clients.
        boolean tools = asked.path("toolsListChanged").asBoolean(!params.has("notifications"));
        boolean prompts = asked.path("promptsListChanged").asBoolean(false);
        boolean resources = asked.path("resourcesListChanged").asBoolean(false);
        List<String> uris = new ArrayList<>();
        JsonNode subs = asked.path("resourceSubscriptions");
        if (!subs.isMissingNode() && !subs.isNull()) {
            if (!subs.isArray() || subs.size() > Features.MAX_SUBSCRIPTIONS) {
                throw new RpcException(
                        JsonRpc.INVALID_PARAMS,
                        "Invalid params: resourceSubscriptions must be an array" + " of at most "
                                + Features.MAX_SUBSCRIPTIONS + " URIs",
                        200,
                        null);
            }
            for (JsonNode u : subs) {
                if (!u.isTextual() || u.asText().isEmpty() || u.asText().length() > MAX_URI_LENGTH) {
                    throw new RpcException(
                            JsonRpc.INVALID_PARAMS,
                            "Invalid params: each resource subscription must be" + " a URI of 1-" + MAX_URI_LENGTH
                                    + " characters",
                            200,
                            null);
                }
                if (!uris.contains(u.asText())) {
                    uris.add(u.asText());
                }
            }
        }
        String key = "listen:" + newSessionId();
        Set<String> honored = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.function.Predicate<ObjectNode> filter =
                m -> switch (m.path("method").asText()) {
                    case "notifications/tools/list_changed" -> tools;
                    case "notifications/prompts/list_changed" -> prompts;
                    case "notifications/resources/list_changed" -> resources;
                    case "notifications/resources/updated" ->
                        honored.contains(m.path("params").path("uri").asText());
                    default -> false;
                };
        Streams.Subscription sub = streams.open(key, filter, Optional.of(id.deepCopy()), () -> features.forget(key))
                .orElseThrow(() -> new RpcException(JsonRpc.INTERNAL_ERROR, "too many open streams", 503, null));
        ArrayNode agreed = F.arrayNode();
        try {
            for (String uri : uris) {
                try {
                    features.subscribe(principal, key, F.objectNode().put("uri", uri), true);
                    honored.add(uri);
                    agreed.add(uri);
                } catch (RpcException e) { // unknown, not visible or refused: not honoured
                    LOG.fine(() -> "listen: not subscribed to " + JsonRpc.truncate(uri, 200) + ": " + e.getMessage());
                }
            }
        } catch (RuntimeException e) {
            sub.close();
            throw e;
        }
        ObjectNode filterAck = F.objectNode();
        if (tools) {
            filterAck.put("toolsListChanged", true);
        }
        if (prompts) {
            filterAck.put("promptsListChanged", true);
        }
        if (resources) {
            filterAck.put("resourcesListChanged", true);
        }
        if (!agreed.isEmpty()) {
            filterAck.set("resourceSubscriptions", agreed);
        }
        ObjectNode ack = F.objectNode();
        ack.set("notifications", filterAck);
        return new McpExchange.Stream(
                200,
                List.of(sub.stamped(JsonRpc.notification("notifications/subscriptions/acknowledged", ack))),
                sub,
                NO_HEADERS);
    }

    private ObjectNode cacheable(ObjectNode result, String scope) {
        result.put("resultType", "complete");
        result.put("ttlMs", settings.listTtl().toMillis());
        result.put("cacheScope", scope);
        return result;
    }

    private static void checkNameHeader(McpExchange.Request request, ObjectNode params) {
        Optional<String> name = request.header("mcp-name");
        if (name.isEmpty()) {
            throw new RpcException(JsonRpc.HEADER_MISMATCH, "Header mismatch: missing Mcp-Name header");
        }
        String decoded = decodeHeaderValue(name.get());
        if (!decoded.equals(params.path("name").asText(null))) {
            throw new RpcException(
                    JsonRpc.HEADER_MISMATCH, "Header mismatch: Mcp-Name header does not match params.name");
        }
    }

    /** Checks {@code Mcp-Param-*} headers against arguments marked {@code x-mcp-header} in the schema. */
    private void checkParamHeaders(McpExchange.Request request, ObjectNode params, Caller principal) {
        String name = params.path("name").asText("");
        Optional<CatalogEntry> entry = catalog.snapshot().find(name).filter(e -> principal.allows(e.name()));
        if (entry.isEmpty()) {
            return; // reported as an unknown tool by toolsCall
        }
        JsonNode args = params.path("arguments");
        walkHeaders(entry.get().definition().path("inputSchema"), args, request);
    }

    private static void walkHeaders(JsonNode schema, JsonNode value, McpExchange.Request request) {
        JsonNode props = schema.path("properties");
        if (!props.isObject()) {
            return;
        }
        for (var it = props.properties().iterator(); it.hasNext(); ) {
            var p = it.next();
            JsonNode sub = p.getValue();
            JsonNode v = value.isObject() ? value.get(p.getKey()) : null;
            JsonNode header = sub.get("x-mcp-header");
            if (header != null && header.isTextual()) {
                Optional<String> h =
                        request.header("mcp-param-" + header.textValue().toLowerCase(java.util.Locale.ROOT));
                if (v != null && !v.isNull()) { // the argument is present
                    if (h.isEmpty()) {
                        throw new RpcException(
                                JsonRpc.HEADER_MISMATCH, "Header mismatch: missing Mcp-Param-" + header.textValue());
                    }
                    if (!headerMatches(decodeHeaderValue(h.get()), v)) {
                        throw new RpcException(
                                JsonRpc.HEADER_MISMATCH,
                                "Header mismatch: Mcp-Param-" + header.textValue() + " does not match the argument");
                    }
                }
            }
            if (v != null && v.isObject()) {
                walkHeaders(sub, v, request);
            }
        }
    }

    private static boolean headerMatches(String header, JsonNode v) {
        if (v.isTextual()) {
            return header.equals(v.textValue());
        }
        if (v.isBoolean()) {
            return header.equals(v.booleanValue() ? "true" : "false");
        }
        if (v.isNumber()) {
            try {
                return new java.math.BigDecimal(header).compareTo(v.decimalValue()) == 0;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return false;
    }

    static String decodeHeaderValue(String v) {
        if (v.startsWith("=?base64?") && v.endsWith("?=") && v.length() >= 11) {
            try {
                return new String(Base64.getDecoder().decode(v.substring(9, v.length() - 2)), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new RpcException(JsonRpc.HEADER_MISMATCH, "Header mismatch: malformed base64 header value");
            }
        }
        return v;
    }

    // ------------------------------------------------------------------------------------------------
    // methods shared by both eras

    private ObjectNode toolsList(Caller principal, ObjectNode params) {
        int offset = 0;
        JsonNode cursor = params.get("cursor");
        if (cursor != null && !cursor.isNull()) {
            offset = decodeCursor(cursor);
        }
        List<CatalogEntry> visible = catalog.snapshot().entries().stream()
                .filter(e -> principal.allows(e.name()))
                .toList();
        if (offset > visible.size()) {
            throw new RpcException(JsonRpc.INVALID_PARAMS, "Invalid params: cursor is out of range", 200, null);
        }
        int end = Math.min(visible.size(), offset + settings.pageSize());
        ObjectNode result = F.objectNode();
        ArrayNode tools = result.putArray("tools");
        if (offset == 0) {
            retrieveTools.ifPresent(r -> tools.add(r.definition())); // first page, besides the page size
        }
        for (CatalogEntry e : visible.subList(offset, end)) {
            tools.add(e.definition());
        }
        if (end < visible.size()) {
            result.put("nextCursor", encodeCursor(end));
        }
        return result;
    }

    /** The opaque {@code nextCursor} of a list page that continues at {@code offset} (tools, resources, prompts). */
    static String encodeCursor(int offset) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(("atoll:" + offset).getBytes(StandardCharsets.US_ASCII));
    }

    /** The offset of a cursor made by {@link #encodeCursor}; any other value is INVALID_PARAMS. */
    static int decodeCursor(JsonNode cursor) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor.asText()), StandardCharsets.US_ASCII);
            if (!cursor.isTextual() || !s.startsWith("atoll:")) {
                throw new IllegalArgumentException();
            }
            int n = Integer.parseInt(s.substring(6));
            if (n < 0) {
                throw new IllegalArgumentException();
            }
            return n;
        } catch (IllegalArgumentException e) {
            throw new RpcException(JsonRpc.INVALID_PARAMS, "Invalid params: unknown cursor", 200, null);
        }
    }

    /** Whether a call's answer should stream while it runs: it has a progress token or the client takes requests (sampling, elicitation, roots). */
    private static boolean wantsLive(ObjectNode params, Session session) {
        JsonNode token = params.path("_meta").get("progressToken");
        return (token != null && (token.isTextual() || token.isIntegralNumber())) || !session.capabilities.isEmpty();
    }

    private McpExchange.Reply live(Caller principal, ObjectNode params, Session session, JsonNode id) {
        Optional<JsonNode> token = Optional.ofNullable(params.path("_meta").get("progressToken"))
                .filter(t -> t.isTextual() || t.isIntegralNumber());
        LiveCall call = new LiveCall(token, session.capabilities, pending, session.id);
        String level = session.logLevel;
        Thread.ofVirtual().name("mcp-live-call").start(() -> {
            List<ObjectNode> notes = new ArrayList<>();
            ObjectNode response;
            try {
                response = JsonRpc.result(id, toolsCall(principal, params, notes, level, call));
            } catch (RpcException e) {
                response = e.toResponse(id);
            } catch (RuntimeException e) {
                LOG.log(java.util.logging.Level.SEVERE, "a streamed tools/call failed inside the gateway", e);
                response = JsonRpc.error(id, JsonRpc.INTERNAL_ERROR, "internal error");
            }
            notes.forEach(call::note);
            call.finish(response);
        });
        return new McpExchange.Live(200, call.events(), Map.of("Mcp-Session-Id", session.id));
    }

    private ObjectNode toolsCall(
            Caller principal, ObjectNode params, List<ObjectNode> notes, String logLevel, ClientLink link) {
        JsonNode nameNode = params.get("name");
        if (nameNode == null || !nameNode.isTextual()) {
            throw new RpcException(JsonRpc.INVALID_PARAMS, "Invalid params: name must be a string", 200, null);
        }
        JsonNode argsNode = params.get("arguments");
        if (argsNode != null && !argsNode.isNull() && !argsNode.isObject()) {
            throw new RpcException(JsonRpc.INVALID_PARAMS, "Invalid params: arguments must be an object", 200, null);
        }
        String name = nameNode.textValue();
        // Unknown, not granted and quarantined look the same: nothing to learn by probing names.
        // retrieve_tools is the gateway's own backend, called through the same pipeline.
        CatalogEntry entry = retrieveTools
                .filter(r -> RetrieveTools.NAME.equals(name))
                .map(r -> r.entry(principal))
                .or(() -> catalog.snapshot().find(name).filter(e -> principal.allows(e.name())))
                .orElseThrow(() -> new RpcException(
                        JsonRpc.INVALID_PARAMS, "Unknown tool: " + JsonRpc.truncate(name, 128), 200, null));
        ObjectNode args = argsNode instanceof ObjectNode o ? o : F.objectNode();
        Optional<JsonNode> progressToken = Optional.ofNullable(
                        params.path("_meta").get("progressToken"))
                .filter(t -> t.isTextual() || t.isIntegralNumber());
        ToolReply reply = caller.call(principal, entry, args, new CallContext(principal.tenant(), progressToken, link));
        return switch (reply) {
            case ToolReply.Result r -> {
                int threshold = LEVEL_ORDER.indexOf(logLevel);
                for (ObjectNode log : r.logs()) {
                    if (LEVEL_ORDER.indexOf(log.path("level").asText("info")) >= threshold) {
                        notes.add(JsonRpc.notification("notifications/message", log));
                    }
                }
                if (progressToken.isPresent()) {
                    for (ObjectNode p : r.progress()) {
                        ObjectNode withToken = p.deepCopy();
                        withToken.set("progressToken", progressToken.get());
                        notes.add(JsonRpc.notification("notifications/progress", withToken));
                    }
                }
                yield r.result();
            }
            case ToolReply.Rejected r -> {
                ObjectNode data = F.objectNode();
                r.retryAfter().ifPresent(d -> data.put("retryAfterMs", d.toMillis()));
                throw new RpcException(r.code(), r.message(), 200, data.isEmpty() ? null : data);
            }
        };
    }

    private ObjectNode capabilities() {
        ObjectNode caps = F.objectNode();
        caps.putObject("tools").put("listChanged", true);
        caps.putObject("logging");
        caps.putObject("resources").put("subscribe", true).put("listChanged", true);
        caps.putObject("prompts").put("listChanged", true);
        caps.putObject("completions");
        return caps;
    }

    private ObjectNode serverInfo() {
        ObjectNode info = F.objectNode();
        info.put("name", settings.serverName());
        info.put("title", "Atoll");
        info.put("version", settings.serverVersion());
        return info;
    }

    private static List<String> allVersions() {
        List<String> all = new ArrayList<>(STATELESS_VERSIONS);
        all.addAll(LEGACY_VERSIONS.reversed());
        return all;
    }

    private static boolean validId(@Nullable JsonNode id) {
        return id != null && (id.isTextual() || id.isIntegralNumber());
    }

    private static McpExchange.Json json(int status, ObjectNode body) {
        return new McpExchange.Json(status, body, NO_HEADERS);
    }

    private static McpExchange.Empty empty(int status) {
        return new McpExchange.Empty(status, NO_HEADERS);
    }

    /** A legacy-era session: who opened it and its log level. */
    private static final class Session {
        final String id;
        final String tenant;
        volatile String logLevel = "info";
        /** Which server-to-client requests the client declared it takes ({@code sampling}, {@code elicitation}, {@code roots}). */
        volatile Set<String> capabilities = Set.of();

        Session(String id, String tenant) {
            this.id = id;
            this.tenant = tenant;
        }
    }
}

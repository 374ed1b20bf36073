package dev.atoll.gateway.internal.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.backend.CallContext;
import dev.atoll.gateway.backend.CatalogEntry;
import dev.atoll.gateway.backend.FeatureSource;
import dev.atoll.gateway.backend.FeatureSource.Offer;
import dev.atoll.gateway.backend.ToolOutcome;
import dev.atoll.gateway.backend.ToolReply;
import dev.atoll.gateway.internal.catalog.UriTemplate;
import dev.atoll.gateway.internal.http.Caller;
import dev.atoll.gateway.internal.mcp.JsonRpc.RpcException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The MCP resources, resource templates, prompts and completions the gateway offers, gathered from its
 * {@link FeatureSource}s. A token sees an offer only if it may call the offer's owner (the module's
 * tool); the first offer of a URI or prompt name (in source, then owner order) wins. Reads, prompt gets
 * and completions run through the call pipeline (DLP, audit as {@code owner:method}, metrics) to the
 * owner's backend, which checks what the module returns.
 */
final class Features {

    /** Most resource subscriptions per session. */
    static final int MAX_SUBSCRIPTIONS = 256;
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final List<FeatureSource> sources;
    private final McpService.ToolCaller caller;
    /** Session id to subscribed URI to the digest that served it when subscribed (or last notified). */
    private final Map<String, Map<String, String>> subscriptions = new ConcurrentHashMap<>();

    Features(List<FeatureSource> sources, McpService.ToolCaller caller) {
        this.sources = List.copyOf(sources);
        this.caller = caller;
    }

    ObjectNode list(Caller principal, String method, ObjectNode params, int pageSize) {
        String key = switch (method) {
            case "resources/list" -> "resources";
            case "resources/templates/list" -> "resourceTemplates";
            default -> "prompts";
        };
        List<Offer> visible = visible(principal, switch (method) {
            case "resources/list" -> FeatureSource::resources;
            case "resources/templates/list" -> FeatureSource::resourceTemplates;
            default -> FeatureSource::prompts;
        }, method.equals("resources/list") ? "uri" : method.equals("prompts/list") ? "name" : "uriTemplate");
        int offset = 0;
        JsonNode cursor = params.get("cursor");
        if (cursor != null && !cursor.isNull()) {
            offset = McpService.decodeCursor(cursor);
        }
        if (offset > visible.size()) {
            throw new RpcException(JsonRpc.INVALID_PARAMS, "Invalid params: cursor is out of range", 200, null);
        }
        int end = Math.min(visible.size(), offset + pageSize);
        ObjectNode result = F.objectNode();
        ArrayNode out = result.putArray(key);
        for (Offer o : visible.subList(offset, end)) {
            out.add(o.definition().deepCopy());
        }
        if (end < visible.size()) {
            result.put("nextCursor", McpService.encodeCursor(end));
        }
        return result;
    }

    ObjectNode serve(Caller principal, String method, ObjectNode params) {
        Offer offer = switch (method) {
            case "resources/read" -> resource(principal, text(params, "uri"))
                    .orElseThrow(() -> notFound(params.path("uri").asText()));
            case "prompts/get" -> byKey(principal, FeatureSource::prompts, "name", text(params, "name"))
                    .orElseThrow(() -> new RpcException(JsonRpc.INVALID_PARAMS, "Invalid params: unknown prompt "
                            + JsonRpc.truncate(params.path("name").asText(), 128), 200, null));
            default -> completionTarget(principal, params);
        };
        ObjectNode request = F.objectNode();
        request.put("method", method);
        request.set("params", withoutMeta(params));
        CatalogEntry e = offer.entry();
        CatalogEntry audited = new CatalogEntry(offer.owner() + ":" + method, e.version(), e.digest(), e.definition(),
                e.backend(), e.handle());
        ToolReply reply = caller.call(principal, audited, request, new CallContext(principal.tenant(), Optional.empty()));
        return switch (reply) {
            case ToolReply.Result r when r.outcome() == ToolOutcome.DLP_BLOCKED -> throw new RpcException(
                    JsonRpc.INTERNAL_ERROR, r.result().path("content").path(0).path("text").asText("Blocked by DLP"),
                    200, null);
            case ToolReply.Result r -> r.result();
            case ToolReply.Rejected r -> {
                ObjectNode data = F.objectNode();
                r.retryAfter().ifPresent(d -> data.put("retryAfterMs", d.toMillis()));
                if (r.code() == dev.atoll.gateway.internal.catalog.IsolateBackend.RESOURCE_NOT_FOUND) {
                    data.put("uri", params.path("uri").asText());
                }
                throw new RpcException(r.code(), r.message(), 200, data.isEmpty() ? null : data);
            }
        };
    }

    ObjectNode subscribe(Caller principal, String session, ObjectNode params, boolean on) {
        String uri = text(params, "uri");
        if (!on) {
            subscriptions.computeIfPresent(session, (k, m) -> {
                m.remove(uri);
                return m.isEmpty() ? null : m;
            });
            return F.objectNode();
        }
        Offer offer = resource(principal, uri).orElseThrow(() -> notFound(uri));
        subscriptions.compute(session, (k, m) -> {
            Map<String, String> next = m == null ? new ConcurrentHashMap<>() : m;
            if (next.size() >= MAX_SUBSCRIPTIONS && !next.containsKey(uri)) {
                throw new RpcException(JsonRpc.INVALID_PARAMS, "Invalid params: at most " + MAX_SUBSCRIPTIONS
                        + " subscriptions per session", 200, null);
            }
            next.put(uri, offer.entry().digest());
            return next;
        });
        return F.objectNode();
    }

    void forget(String session) {
        subscriptions.remove(session);
    }

    /**
     * After a catalogue change: tells every stream to list resources and prompts again, and each
     * session whose subscribed resource is now served by another version (or gone) that it was updated.
     */
    void changed(Streams streams) {
        streams.broadcast(JsonRpc.notification("notifications/resources/list_changed", null));
        streams.broadcast(JsonRpc.notification("notifications/prompts/list_changed", null));
        Map<String, String> digests = new HashMap<>();
        for (FeatureSource s : sources) {
            for (Offer o : s.resources()) {
                digests.putIfAbsent(o.definition().path("uri").asText(), o.entry().digest());
            }
        }
        subscriptions.forEach((session, uris) -> uris.replaceAll((uri, digest) -> {
            String now = digests.getOrDefault(uri, "");
            if (!now.equals(digest)) {
                ObjectNode p = F.objectNode().put("uri", uri);
                streams.send(session, JsonRpc.notification("notifications/resources/updated", p));
            }
            return now;
        }));
    }

    private Offer completionTarget(Caller principal, ObjectNode params) {
        JsonNode ref = params.path("ref");
        JsonNode argument = params.path("argument");
        if (!argument.path("name").isTextual() || !argument.path("value").isTextual()) {
            throw new RpcException(JsonRpc.INVALID_PARAMS, "Invalid params: argument needs a string name and value",
                    200, null);
        }
        return switch (ref.path("type").asText("")) {
            case "ref/prompt" -> byKey(principal, FeatureSource::prompts, "name", ref.path("name").asText(""))
                    .orElseThrow(() -> new RpcException(JsonRpc.INVALID_PARAMS, "Invalid params: unknown prompt", 200,
                            null));
            case "ref/resource" -> byKey(principal, FeatureSource::resourceTemplates, "uriTemplate",
                    ref.path("uri").asText("")).or(() -> byKey(principal, FeatureSource::resources, "uri",
                            ref.path("uri").asText(""))).orElseThrow(() -> new RpcException(JsonRpc.INVALID_PARAMS,
                                    "Invalid params: unknown resource template", 200, null));
            default -> throw new RpcException(JsonRpc.INVALID_PARAMS,
                    "Invalid params: ref.type must be ref/prompt or ref/resource", 200, null);
        };
    }

    private Optional<Offer> resource(Caller principal, String uri) {
        return byKey(principal, FeatureSource::resources, "uri", uri).or(() -> {
            for (Offer o : visible(principal, FeatureSource::resourceTemplates, "uriTemplate")) {
                if (UriTemplate.of(o.definition().path("uriTemplate").asText()).match(uri).isPresent()) {
                    return Optional.of(o);
                }
            }
            return Optional.empty();
        });
    }

    private Optional<Offer> byKey(Caller principal, Function<FeatureSource, List<Offer>> kind, String key, String value) {
        return visible(principal, kind, key).stream().filter(o -> o.definition().path(key).asText().equals(value))
                .findFirst();
    }

    /** The offers a principal may see, the first of each key only. */
    private List<Offer> visible(Caller principal, Function<FeatureSource, List<Offer>> kind, String key) {
        List<Offer> out = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (FeatureSource s : sources) {
            for (Offer o : kind.apply(s)) {
                if (seen.add(o.definition().path(key).asText()) && principal.allows(o.owner())) {
                    out.add(o);
                }
            }
        }
        return out;
    }

    private static ObjectNode withoutMeta(ObjectNode params) {
        ObjectNode copy = params.deepCopy();
        copy.remove("_meta");
        return copy;
    }

    private static String text(ObjectNode params, String key) {
        JsonNode v = params.get(key);
        if (v == null || !v.isTextual() || v.textValue().length() > 4096) {
            throw new RpcException(JsonRpc.INVALID_PARAMS, "Invalid params: " + key + " must be a string", 200, null);
        }
        return v.textValue();
    }

    private static RpcException notFound(String uri) {
        ObjectNode data = F.objectNode().put("uri", JsonRpc.truncate(uri, 256));
        return new RpcException(dev.atoll.gateway.internal.catalog.IsolateBackend.RESOURCE_NOT_FOUND,
                "Resource not found", 200, data);
    }
}

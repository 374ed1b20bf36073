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
import java.util.logging.Logger;

/**
 * The MCP resources, resource templates, prompts and completions the gateway offers, gathered from its
 * {@link FeatureSource}s. A token sees an offer only if it may call the offer's owner (the module's
 * tool). Reads, prompt gets
 * and completions run through the call pipeline (DLP, audit as {@code owner:method}, metrics) to the
 * owner's backend, which checks what the module returns. A URI, template or prompt name that more
 * than one owner offers is served by none (logged once). A subscription asks the offer's source to
 * watch the URI while at least one session wants it (an upstream server is subscribed once, and
 * unsubscribed when the last session unsubscribes or ends), and relays the source's updates to the
 * sessions subscribed through that owner.
 */
final class Features {

    /** Most resource subscriptions per session. */
    static final int MAX_SUBSCRIPTIONS = 256;

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private static final Logger LOG = Logger.getLogger(Features.class.getName());

    /** An offer and the source that made it. */
    private record Sourced(FeatureSource source, Offer offer) {}

    /**
     * One session's subscription to a URI.
     *
     * @param principal who subscribed
     * @param owner who served it when subscribed
     * @param source the source watching it
     * @param offer the offer that served it
     * @param digest the digest that served it when subscribed (or last notified)
     */
    private record Sub(Caller principal, String owner, FeatureSource source, Offer offer, String digest) {}

    private final List<FeatureSource> sources;
    private final McpService.ToolCaller caller;
    private final Streams streams;
    /** Session id to subscribed URI to its subscription. */
    private final Map<String, Map<String, Sub>> subscriptions = new ConcurrentHashMap<>();
    /**
     * Locks that order the subscription changes of one owner and URI with the source's watch calls
     * (first subscriber, last one leaving), striped by owner and URI.
     */
    private final Object[] stripes = new Object[64];
    /** Told of every subscription change (the audit log). */
    private volatile java.util.function.Consumer<SubscriptionChange> onSubscription = c -> {};
    /** Collisions already reported to the operator. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    Features(List<FeatureSource> sources, McpService.ToolCaller caller, Streams streams) {
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
        this.sources = List.copyOf(sources);
        this.caller = caller;
        this.streams = streams;
        for (FeatureSource s : this.sources) {
            s.onResourceUpdated(this::updated);
        }
    }

    ObjectNode list(Caller principal, String method, ObjectNode params, int pageSize) {
        String key = switch (method) {
            case "resources/list" -> "resources";
            case "resources/templates/list" -> "resourceTemplates";
            default -> "prompts";
        };
        List<Sourced> visible = visible(
                principal,
                switch (method) {
                    case "resources/list" -> FeatureSource::resources;
                    case "resources/templates/list" -> FeatureSource::resourceTemplates;
                    default -> FeatureSource::prompts;
                },
                method.equals("resources/list") ? "uri" : method.equals("prompts/list") ? "name" : "uriTemplate");
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
        for (Sourced o : visible.subList(offset, end)) {
            out.add(o.offer().definition().deepCopy());
        }
        if (end < visible.size()) {
            result.put("nextCursor", McpService.encodeCursor(end));
        }
        return result;
    }

    ObjectNode serve(Caller principal, String method, ObjectNode params) {
        Offer offer = switch (method) {
            case "resources/read" ->
                resource(principal, text(params, "uri"))
                        .map(Sourced::offer)
                        .orElseThrow(() -> notFound(params.path("uri").asText()));
            case "prompts/get" ->
                byKey(principal, FeatureSource::prompts, "name", text(params, "name"))
                        .orElseThrow(() -> new RpcException(
                                JsonRpc.INVALID_PARAMS,
                                "Invalid params: unknown prompt "
                                        + JsonRpc.truncate(params.path("name").asText(), 128),
                                200,
                                null));
            default -> completionTarget(principal, params);
        };
        ObjectNode request = F.objectNode();
        request.put("method", method);
        request.set("params", withoutMeta(params));
        CatalogEntry e = offer.entry();
        CatalogEntry audited = new CatalogEntry(
                offer.owner() + ":" + method, e.version(), e.digest(), e.definition(), e.backend(), e.handle());
        ToolReply reply =
                caller.call(principal, audited, request, new CallContext(principal.tenant(), Optional.empty()));
        return switch (reply) {
            case ToolReply.Result r
            when r.outcome() == ToolOutcome.DLP_BLOCKED ->
                throw new RpcException(
                        JsonRpc.INTERNAL_ERROR,
                        r.result().path("content").path(0).path("text").asText("Blocked by DLP"),
                        200,
                        null);
            case ToolReply.Result r -> r.result();
            case ToolReply.Rejected r -> {
                ObjectNode data = F.objectNode();
                r.retryAfter().ifPresent(d -> data.put("retryAfterMs", d.toMillis()));
                if (r.code() == JsonRpc.RESOURCE_NOT_FOUND) {
                    data.put("uri", params.path("uri").asText());
                }
                throw new RpcException(r.code(), r.message(), 200, data.isEmpty() ? null : data);
            }
        };
    }

    /** Tells this listener of every subscription change from now on (replacing the previous one). */
    void onSubscriptionChange(java.util.function.Consumer<SubscriptionChange> listener) {
        onSubscription = java.util.Objects.requireNonNull(listener, "listener");
    }

    private void tell(Sub sub, String uri, SubscriptionChange.Kind kind, String reason) {
        try {
            onSubscription.accept(new SubscriptionChange(sub.principal(), sub.owner(), uri, kind, reason));
        } catch (RuntimeException e) {
            LOG.warning("cannot record a subscription change (" + kind + " " + JsonRpc.truncate(uri, 200) + "): " + e);
        }
    }

    @SuppressWarnings("ReferenceEquality") // a feature source is one object per backend: identity is the comparison
    ObjectNode subscribe(Caller principal, String session, ObjectNode params, boolean on) {
        String uri = text(params, "uri");
        if (!on) {
            Map<String, Sub> m = subscriptions.get(session);
            Sub had = m == null ? null : m.get(uri);
            if (m != null && had != null) {
                boolean removed;
                synchronized (stripe(had, uri)) {
                    removed = m.remove(uri, had);
                    if (removed) {
                        release(had, uri);
                    }
                }
                if (removed) { // the audit write is outside the lock other subscribers of this URI wait on
                    tell(had, uri, SubscriptionChange.Kind.UNSUBSCRIBED, "");
                }
                subscriptions.computeIfPresent(session, (k, v) -> v.isEmpty() ? null : v);
            }
            return F.objectNode();
        }
        Sourced found = resource(principal, uri).orElseThrow(() -> notFound(uri));
        Sub sub = new Sub(
                principal,
                found.offer().owner(),
                found.source(),
                found.offer(),
                found.offer().entry().digest());
        Map<String, Sub> m = subscriptions.computeIfAbsent(session, k -> new ConcurrentHashMap<>());
        Sub had = m.get(uri);
        if (had != null && had.owner().equals(sub.owner()) && had.source() == sub.source()) {
            return F.objectNode(); // already subscribed
        }
        if (had == null && m.size() >= MAX_SUBSCRIPTIONS) {
            throw new RpcException(
                    JsonRpc.INVALID_PARAMS,
                    "Invalid params: at most " + MAX_SUBSCRIPTIONS + " subscriptions per session",
                    200,
                    null);
        }
        // One lock per owner and URI (striped): the source is asked to watch once, and a slow source
        // (an upstream that takes its time to answer) holds up only subscriptions of the same URI.
        Optional<ToolReply.Rejected> refused = Optional.empty();
        synchronized (stripe(sub, uri)) {
            if (!watched(sub, uri)) {
                refused = sub.source().subscribe(sub.offer(), uri);
            }
            if (refused.isEmpty()) {
                m.put(uri, sub);
            }
        }
        if (refused.isPresent()) {
            tell(sub, uri, SubscriptionChange.Kind.REFUSED, refused.get().message());
            throw new RpcException(refused.get().code(), refused.get().message(), 200, null);
        }
        tell(sub, uri, SubscriptionChange.Kind.SUBSCRIBED, "");
        if (had != null) { // it was served by another owner when subscribed: that one may stop watching
            synchronized (stripe(had, uri)) {
                release(had, uri);
            }
        }
        return F.objectNode();
    }

    /** Ends a session's subscriptions (it was deleted or expired). */
    void forget(String session) {
        Map<String, Sub> m = subscriptions.remove(session);
        if (m != null) {
            m.forEach((uri, sub) -> {
                synchronized (stripe(sub, uri)) {
                    release(sub, uri);
                }
                tell(sub, uri, SubscriptionChange.Kind.SESSION_ENDED, "");
            });
        }
    }

    private Object stripe(Sub sub, String uri) {
        return stripes[Math.floorMod((sub.owner() + "\n" + uri).hashCode(), stripes.length)];
    }

    /** Whether some session is subscribed to the URI through the same source and owner. */
    @SuppressWarnings("ReferenceEquality") // a feature source is one object per backend: identity is the comparison
    private boolean watched(Sub sub, String uri) {
        for (Map<String, Sub> m : subscriptions.values()) {
            Sub s = m.get(uri);
            if (s != null && s.source() == sub.source() && s.owner().equals(sub.owner())) {
                return true;
            }
        }
        return false;
    }

    /** After a subscription ended: tells its source when no session wants the URI any more. */
    private void release(Sub sub, String uri) {
        if (!watched(sub, uri)) {
            try {
                sub.source().unsubscribe(sub.offer(), uri);
            } catch (RuntimeException e) {
                LOG.warning("cannot end the subscription of " + JsonRpc.truncate(uri, 200) + ": " + e);
            }
        }
    }

    /**
     * A source says a watched resource changed: every session subscribed to that URI through that owner
     * hears {@code notifications/resources/updated} with the URI only (the one it subscribed to, so
     * nothing the source adds reaches the client).
     */
    private void updated(String owner, String uri) {
        ObjectNode note = JsonRpc.notification(
                "notifications/resources/updated", F.objectNode().put("uri", uri));
        subscriptions.forEach((session, uris) -> {
            Sub s = uris.get(uri);
            if (s != null && s.owner().equals(owner)) {
                streams.send(session, note);
            }
        });
    }

    /**
     * After a catalogue change: tells every stream to list resources and prompts again, and each
     * session whose subscribed resource is now served by another version (or gone) that it was updated.
     */
    void changed(Streams streams) {
        streams.broadcast(JsonRpc.notification("notifications/resources/list_changed", null));
        streams.broadcast(JsonRpc.notification("notifications/prompts/list_changed", null));
        Map<String, String> digests = new HashMap<>();
        for (Sourced o : served(FeatureSource::resources, "uri")) {
            digests.putIfAbsent(
                    o.offer().definition().path("uri").asText(),
                    o.offer().entry().digest());
        }
        List<Sourced> templates = served(FeatureSource::resourceTemplates, "uriTemplate");
        subscriptions.forEach((session, uris) -> uris.replaceAll((uri, sub) -> {
            String now = digests.computeIfAbsent(
                    uri,
                    u -> templates.stream()
                            .filter(t -> UriTemplate.of(t.offer()
                                            .definition()
                                            .path("uriTemplate")
                                            .asText())
                                    .match(u)
                                    .isPresent())
                            .findFirst()
                            .map(t -> t.offer().entry().digest())
                            .orElse(""));
            if (!now.equals(sub.digest())) {
                ObjectNode p = F.objectNode().put("uri", uri);
                streams.send(session, JsonRpc.notification("notifications/resources/updated", p));
            }
            return new Sub(sub.principal(), sub.owner(), sub.source(), sub.offer(), now);
        }));
    }

    private Offer completionTarget(Caller principal, ObjectNode params) {
        JsonNode ref = params.path("ref");
        JsonNode argument = params.path("argument");
        if (!argument.path("name").isTextual() || !argument.path("value").isTextual()) {
            throw new RpcException(
                    JsonRpc.INVALID_PARAMS, "Invalid params: argument needs a string name and value", 200, null);
        }
        return switch (ref.path("type").asText("")) {
            case "ref/prompt" ->
                byKey(
                                principal,
                                FeatureSource::prompts,
                                "name",
                                ref.path("name").asText(""))
                        .orElseThrow(() ->
                                new RpcException(JsonRpc.INVALID_PARAMS, "Invalid params: unknown prompt", 200, null));
            case "ref/resource" ->
                byKey(
                                principal,
                                FeatureSource::resourceTemplates,
                                "uriTemplate",
                                ref.path("uri").asText(""))
                        .or(() -> byKey(
                                principal,
                                FeatureSource::resources,
                                "uri",
                                ref.path("uri").asText("")))
                        .orElseThrow(() -> new RpcException(
                                JsonRpc.INVALID_PARAMS, "Invalid params: unknown resource template", 200, null));
            default ->
                throw new RpcException(
                        JsonRpc.INVALID_PARAMS,
                        "Invalid params: ref.type must be ref/prompt or ref/resource",
                        200,
                        null);
        };
    }

    private Optional<Sourced> resource(Caller principal, String uri) {
        return byKeySourced(principal, FeatureSource::resources, "uri", uri).or(() -> {
            for (Sourced o : visible(principal, FeatureSource::resourceTemplates, "uriTemplate")) {
                if (UriTemplate.of(o.offer().definition().path("uriTemplate").asText())
                        .match(uri)
                        .isPresent()) {
                    return Optional.of(o);
                }
            }
            return Optional.empty();
        });
    }

    private Optional<Offer> byKey(
            Caller principal, Function<FeatureSource, List<Offer>> kind, String key, String value) {
        return byKeySourced(principal, kind, key, value).map(Sourced::offer);
    }

    private Optional<Sourced> byKeySourced(
            Caller principal, Function<FeatureSource, List<Offer>> kind, String key, String value) {
        return visible(principal, kind, key).stream()
                .filter(o -> o.offer().definition().path(key).asText().equals(value))
                .findFirst();
    }

    /** The offers a principal may see. */
    private List<Sourced> visible(Caller principal, Function<FeatureSource, List<Offer>> kind, String key) {
        return served(kind, key).stream()
                .filter(o -> principal.allows(o.offer().owner()))
                .toList();
    }

    /**
     * The offers served: a key (URI, template, prompt name) that more than one owner offers (two
     * modules, a module and an upstream) is served by none of them, and the operator is told once.
     */
    private List<Sourced> served(Function<FeatureSource, List<Offer>> kind, String key) {
        List<Sourced> all = new ArrayList<>();
        Map<String, String> owners = new HashMap<>();
        Set<String> clashing = new java.util.HashSet<>();
        for (FeatureSource s : sources) {
            for (Offer o : kind.apply(s)) {
                String k = o.definition().path(key).asText();
                String prev = owners.putIfAbsent(k, o.owner());
                if (prev != null && !prev.equals(o.owner())) {
                    clashing.add(k);
                }
                all.add(new Sourced(s, o));
            }
        }
        List<Sourced> out = new ArrayList<>(all.size());
        Set<String> seen = new java.util.HashSet<>();
        for (Sourced o : all) {
            String k = o.offer().definition().path(key).asText();
            if (clashing.contains(k)) {
                if (warned.size() < 10_000 && warned.add(key + " " + k)) {
                    LOG.warning("the " + key + " " + JsonRpc.truncate(k, 200) + " is offered by more than one tool ("
                            + owners(all, key, k) + "); served by none until only one offers it");
                }
            } else if (seen.add(k)) {
                out.add(o);
            }
        }
        return out;
    }

    private static String owners(List<Sourced> all, String key, String k) {
        return String.join(
                ", ",
                all.stream()
                        .filter(o -> o.offer().definition().path(key).asText().equals(k))
                        .map(o -> o.offer().owner())
                        .distinct()
                        .toList());
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
        return new RpcException(JsonRpc.RESOURCE_NOT_FOUND, "Resource not found", 200, data);
    }
}

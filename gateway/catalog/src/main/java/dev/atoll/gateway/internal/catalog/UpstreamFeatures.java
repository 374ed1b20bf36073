package dev.atoll.gateway.internal.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.backend.CallContext;
import dev.atoll.gateway.backend.CatalogEntry;
import dev.atoll.gateway.backend.FeatureSource;
import dev.atoll.gateway.backend.ToolBackend;
import dev.atoll.gateway.backend.ToolOutcome;
import dev.atoll.gateway.backend.ToolReply;
import dev.atoll.gateway.registry.UpstreamInfo;
import dev.atoll.gateway.registry.UpstreamTool;
import dev.atoll.gateway.upstream.internal.UpstreamBackend;
import dev.atoll.gateway.upstream.internal.UpstreamManager;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The resources, resource templates and prompts of approved upstream servers: the
 * {@link UpstreamBackend#FEATURES} definition each upstream reported, served only while it equals its
 * pin (so a changed list is pulled like a changed tool, until approved again). Prompt names are
 * namespaced like tools ({@code NAME__prompt}); resource URIs and templates keep the server's own
 * text and are routed to the upstream that offered them, and a URI or template that two upstreams
 * offer is served by neither. A client's subscription to an upstream resource is forwarded as
 * {@code resources/subscribe} (once, however many sessions subscribe; {@code resources/unsubscribe}
 * when the last leaves) and the server's {@code notifications/resources/updated} for it is relayed. A token sees an upstream's features if it may call {@code NAME__} (or
 * {@code *}). Requests go through the call pipeline to this backend, which renames prompts back,
 * forwards to the server and checks its answer with {@link FeatureResults} before the client sees it.
 */
public final class UpstreamFeatures implements FeatureSource, ToolBackend {

    private static final Logger LOG = Logger.getLogger(UpstreamFeatures.class.getName());
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
    private static final int MAX_URI = 4096;

    /**
     * The handle of an upstream's feature entry.
     *
     * @param upstream the upstream name
     */
    public record Route(String upstream) {}

    private record Built(List<Offer> resources, List<Offer> templates, List<Offer> prompts) {}

    /** Sends one feature request to a running upstream ({@link UpstreamManager#feature}). */
    @FunctionalInterface
    public interface Forwarder {
        /**
         * @param upstream the upstream name
         * @param method the MCP method ({@code resources/subscribe} and {@code resources/unsubscribe}
         *     too: the manager keeps the upstream's subscriptions, and must not block on the latter)
         * @param params its params, as the server names things
         * @return the server's result or a rejection
         */
        ToolReply forward(String upstream, String method, ObjectNode params);
    }

    private final Forwarder manager;
    private final List<BiConsumer<String, String>> updates = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Built built = new Built(List.of(), List.of(), List.of());

    /**
     * Creates the source.
     *
     * @param manager sends requests to the running upstreams ({@code UpstreamManager::feature})
     */
    public UpstreamFeatures(Forwarder manager) {
        this.manager = manager;
    }

    /**
     * The owner name whose grant lets a token see and use an upstream's resources and prompts.
     *
     * @param upstream the upstream name
     * @return {@code NAME__}
     */
    public static String owner(String upstream) {
        return upstream + UpstreamBackend.SEPARATOR;
    }

    /**
     * Rebuilds the offers from the registry's upstreams (after every catalogue change).
     *
     * @param upstreams every registered upstream
     * @return whether what is offered changed
     */
    public boolean update(List<UpstreamInfo> upstreams) {
        List<Offer> resources = new ArrayList<>();
        List<Offer> templates = new ArrayList<>();
        List<Offer> prompts = new ArrayList<>();
        for (UpstreamInfo u : upstreams) {
            for (UpstreamTool t : u.tools()) {
                if (!t.name().equals(UpstreamBackend.FEATURES)
                        || !t.serving()
                        || t.pinnedDefinition().isEmpty()) {
                    continue;
                }
                ObjectNode pinned = t.pinnedDefinition().get();
                CatalogEntry entry = new CatalogEntry(
                        owner(u.name()),
                        t.version(),
                        t.pinnedDigest().orElseThrow(),
                        pinned,
                        this,
                        new Route(u.name()));
                for (JsonNode d : pinned.path("resources")) {
                    uri(d, "uri").ifPresent(x -> resources.add(new Offer(copy(d), entry.name(), entry)));
                }
                for (JsonNode d : pinned.path("resourceTemplates")) {
                    if (d.path("uriTemplate").isTextual()
                            && d.path("uriTemplate").textValue().length() <= MAX_URI) {
                        templates.add(new Offer(copy(d), entry.name(), entry));
                    }
                }
                for (JsonNode d : pinned.path("prompts")) {
                    String name = u.name()
                            + UpstreamBackend.SEPARATOR
                            + d.path("name").asText("");
                    if (d.isObject()
                            && d.path("name").isTextual()
                            && NAME.matcher(name).matches()) {
                        prompts.add(new Offer(copy(d).put("name", name), entry.name(), entry));
                    }
                }
            }
        }
        Built next = new Built(unique(resources, "uri"), unique(templates, "uriTemplate"), List.copyOf(prompts));
        boolean changed = !next.equals(built);
        built = next;
        return changed;
    }

    /** Drops every offer whose key more than one upstream offers (and repeats within one). */
    private static List<Offer> unique(List<Offer> offers, String key) {
        Map<String, String> by = new HashMap<>();
        Map<String, Boolean> clash = new HashMap<>();
        for (Offer o : offers) {
            String k = o.definition().path(key).asText();
            String prev = by.putIfAbsent(k, o.owner());
            if (prev != null && !prev.equals(o.owner())) {
                clash.put(k, true);
            }
        }
        List<Offer> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Offer o : offers) {
            String k = o.definition().path(key).asText();
            if (clash.containsKey(k)) {
                LOG.warning("upstream " + key + " " + cut(k) + " is offered by more than one upstream;"
                        + " served by none");
            } else if (seen.add(k)) {
                out.add(o);
            }
        }
        return List.copyOf(out);
    }

    private static Optional<String> uri(JsonNode d, String key) {
        JsonNode v = d.path(key);
        if (!d.isObject() || !v.isTextual() || v.textValue().length() > MAX_URI) {
            return Optional.empty();
        }
        try {
            return new URI(v.textValue()).isAbsolute() ? Optional.of(v.textValue()) : Optional.empty();
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    private static ObjectNode copy(JsonNode d) {
        ObjectNode c = ((ObjectNode) d).deepCopy();
        c.remove("_meta");
        return c;
    }

    @Override
    public Optional<ToolReply.Rejected> subscribe(Offer offer, String uri) {
        String upstream = ((Route) offer.entry().handle()).upstream();
        ToolReply r = manager.forward(upstream, "resources/subscribe", subscription(uri));
        return r instanceof ToolReply.Rejected rejected ? Optional.of(rejected) : Optional.empty();
    }

    @Override
    public void unsubscribe(Offer offer, String uri) {
        manager.forward(((Route) offer.entry().handle()).upstream(), "resources/unsubscribe", subscription(uri));
    }

    @Override
    public void onResourceUpdated(BiConsumer<String, String> listener) {
        updates.add(listener);
    }

    /**
     * An upstream said a resource it watches for the gateway changed (checked by the upstream
     * manager: a URI the gateway subscribed to); subscribers of that upstream's URI are told.
     *
     * @param upstream the upstream name
     * @param uri the URI
     */
    public void resourceUpdated(String upstream, String uri) {
        for (BiConsumer<String, String> l : updates) {
            l.accept(owner(upstream), uri);
        }
    }

    private static ObjectNode subscription(String uri) {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                .objectNode()
                .put("uri", uri);
    }

    @Override
    public List<Offer> resources() {
        return built.resources();
    }

    @Override
    public List<Offer> resourceTemplates() {
        return built.templates();
    }

    @Override
    public List<Offer> prompts() {
        return built.prompts();
    }

    /**
     * Forwards one feature request to the upstream (prompt names without the namespace) and checks its
     * answer.
     */
    @Override
    public ToolReply call(CatalogEntry entry, ObjectNode arguments, CallContext context) {
        String upstream = ((Route) entry.handle()).upstream();
        String method = arguments.path("method").asText();
        ObjectNode params = ((ObjectNode) arguments.path("params")).deepCopy();
        String prefix = owner(upstream);
        if (method.equals("prompts/get")) {
            params.put("name", unprefixed(params.path("name").asText(), prefix));
        } else if (method.equals("completion/complete")
                && params.path("ref").path("type").asText().equals("ref/prompt")) {
            ((ObjectNode) params.get("ref"))
                    .put("name", unprefixed(params.path("ref").path("name").asText(), prefix));
        }
        ToolReply reply = manager.forward(upstream, method, params);
        if (!(reply instanceof ToolReply.Result r)) {
            return reply;
        }
        ObjectNode value = r.result().deepCopy();
        value.remove("_meta");
        try {
            ObjectNode checked = switch (method) {
                case "resources/read" -> {
                    value.withArray("contents").forEach(c -> {
                        if (c instanceof ObjectNode o) {
                            o.remove("_meta");
                        }
                    });
                    yield FeatureResults.read(value, params.path("uri").asText(), "");
                }
                case "prompts/get" -> FeatureResults.prompt(value, "");
                default -> FeatureResults.completion(value.path("completion"));
            };
            return new ToolReply.Result(checked, List.of(), List.of(), ToolOutcome.OK, r.receipt());
        } catch (FeatureResults.Invalid e) {
            return new ToolReply.Rejected(
                    -32603,
                    "upstream '" + upstream + "' answered " + method + " with an invalid result: " + e.getMessage(),
                    ToolOutcome.UPSTREAM_PROTOCOL_ERROR,
                    Optional.empty());
        }
    }

    private static String unprefixed(String name, String prefix) {
        return name.startsWith(prefix) ? name.substring(prefix.length()) : name;
    }

    private static String cut(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}

package dev.atoll.gateway.internal.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.registry.PoisoningSign;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.RegistryException;
import dev.atoll.gateway.registry.SandboxKind;
import dev.atoll.gateway.registry.UpstreamInfo;
import dev.atoll.gateway.registry.UpstreamLimits;
import dev.atoll.gateway.registry.UpstreamSpec;
import dev.atoll.gateway.registry.UpstreamTool;
import dev.atoll.gateway.registry.VolumeMount;
import dev.atoll.gateway.upstream.internal.UpstreamBackend;
import dev.atoll.gateway.upstream.internal.UpstreamManager;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The admin API for upstream MCP servers, behind the admin bearer token like {@link AdminHttp}.
 *
 * <pre>
 * GET    /v1/upstreams                      upstreams with their tools, states and process status
 * POST   /v1/upstreams                      {"name","kind","image","command":[..],"env":{..},
 *                                            "allowHosts":[..],"volumes":[{"name","path"}],"limits":{..}}
 * GET    /v1/upstreams/{name}
 * POST   /v1/upstreams/{name}/approve       pin every current tool and serve them
 * DELETE /v1/upstreams/{name}
 * GET    /v1/upstreams/{name}/logs?lines=N  stderr and lifecycle lines
 * </pre>
 */
public final class UpstreamAdminHttp implements HttpService {

    private final Registry registry;
    private final UpstreamManager manager;
    private final Runnable afterChange;
    private final ObjectMapper json;
    private final AdminJson web;
    private final UpstreamLimits defaults;
    private final Function<String, Served> served;

    /** What the served catalogue holds under an upstream tool's namespaced name. */
    public enum Served {
        /** This upstream tool. */
        UPSTREAM,
        /** Another tool (an upload) holds the name: the upstream tool is not served. */
        OTHER,
        /** Nothing. */
        NONE
    }

    /**
     * Creates the service.
     *
     * @param registry the registry
     * @param manager the running upstreams
     * @param afterChange rebuilds what MCP serves
     * @param json the mapper
     * @param defaults limits for a spec that names none ({@code upstreams.memory-bytes} etc.)
     * @param served what the served catalogue holds under a name, so that {@code serving} is what
     *     agents get, not only what the registry approved
     */
    public UpstreamAdminHttp(
            Registry registry,
            UpstreamManager manager,
            Runnable afterChange,
            ObjectMapper json,
            UpstreamLimits defaults,
            Function<String, Served> served) {
        this.served = served;
        this.registry = registry;
        this.manager = manager;
        this.afterChange = afterChange;
        this.json = json;
        this.web = new AdminJson(registry, json);
        this.defaults = defaults;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/upstreams", h((req, a) -> {
            ArrayNode out = json.createArrayNode();
            registry.upstreams().list().forEach(u -> out.add(upstream(u)));
            return out;
        }));
        rules.post("/v1/upstreams", h((req, a) -> {
            UpstreamSpec spec = spec(body(req), defaults);
            manager.unavailable(spec.kind()).ifPresent(why -> {
                throw new Unavailable("cannot add '" + spec.name() + "': " + why);
            });
            manager.refusal(spec).ifPresent(why -> {
                throw new WillNotStart("cannot add '" + spec.name() + "': " + why);
            });
            UpstreamInfo u = registry.upstreams().add(spec, a);
            manager.refresh(u.name());
            return upstream(u);
        }));
        rules.get("/v1/upstreams/{name}", h((req, a) -> upstream(find(AdminJson.name(req)))));
        rules.post("/v1/upstreams/{name}/approve", h((req, a) -> {
            UpstreamInfo u = registry.upstreams().approve(AdminJson.name(req), a);
            manager.refresh(u.name());
            afterChange.run();
            return upstream(u);
        }));
        rules.delete("/v1/upstreams/{name}", h((req, a) -> {
            String name = AdminJson.name(req);
            registry.upstreams().remove(name, a);
            manager.stop(name);
            afterChange.run();
            return json.createObjectNode().put("removed", name);
        }));
        rules.get("/v1/upstreams/{name}/logs", h((req, a) -> {
            String name = find(AdminJson.name(req)).name();
            int lines;
            try {
                lines = Integer.parseInt(req.query().first("lines").asOptional().orElse("200"));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("lines must be an integer");
            }
            ArrayNode out = json.createArrayNode();
            manager.logs(name, Math.max(1, Math.min(10_000, lines))).forEach(out::add);
            return json.createObjectNode().put("name", name).set("lines", out);
        }));
    }

    private UpstreamInfo find(String name) {
        return registry.upstreams()
                .get(name)
                .orElseThrow(() ->
                        new RegistryException(RegistryException.Reason.NOT_FOUND, "no upstream named '" + name + "'"));
    }

    private static UpstreamSpec spec(JsonNode b, UpstreamLimits d) {
        String name = text(b, "name").orElseThrow(() -> new IllegalArgumentException("the body needs a \"name\""));
        SandboxKind kind = SandboxKind.of(text(b, "kind").orElse(b.hasNonNull("image") ? "docker" : "bubblewrap"));
        List<String> command = new ArrayList<>();
        b.path("command").forEach(c -> command.add(c.asText()));
        Map<String, String> env = new LinkedHashMap<>();
        b.path("env").properties().forEach(e -> {
            if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]{0,127}")) {
                throw new IllegalArgumentException("bad environment variable name '" + e.getKey() + "'");
            }
            env.put(e.getKey(), e.getValue().asText());
        });
        List<String> hosts = new ArrayList<>();
        b.path("allowHosts").forEach(h -> hosts.add(h.asText()));
        List<VolumeMount> volumes = new ArrayList<>();
        b.path("volumes")
                .forEach(v -> volumes.add(
                        new VolumeMount(v.path("name").asText(), v.path("path").asText())));
        JsonNode l = b.path("limits");
        UpstreamLimits limits = new UpstreamLimits(
                l.path("memoryBytes").asLong(d.memoryBytes()),
                l.path("cpus").asDouble(d.cpus()),
                l.path("pids").asInt(d.pids()));
        return new UpstreamSpec(name, kind, text(b, "image"), command, env, hosts, volumes, limits);
    }

    private static Optional<String> text(JsonNode b, String field) {
        return b.hasNonNull(field) ? Optional.of(b.get(field).asText()) : Optional.empty();
    }

    private ObjectNode upstream(UpstreamInfo u) {
        ObjectNode n = json.createObjectNode();
        UpstreamSpec s = u.spec();
        n.put("name", u.name())
                .put("kind", s.kind().id())
                .put("approved", u.approved())
                .put("createdAt", u.createdAt().toString())
                .put("createdBy", u.createdBy());
        s.image().ifPresent(i -> n.put("image", i));
        ArrayNode cmd = n.putArray("command");
        s.command().forEach(cmd::add);
        ArrayNode envKeys = n.putArray("envKeys");
        s.env().keySet().stream().sorted().forEach(envKeys::add);
        ArrayNode hosts = n.putArray("allowHosts");
        s.allowHosts().forEach(hosts::add);
        ArrayNode vols = n.putArray("volumes");
        s.volumes().forEach(v -> vols.addObject().put("name", v.name()).put("path", v.path()));
        UpstreamManager.Status st = manager.status(u.name());
        ObjectNode status = n.putObject("status");
        status.put("state", st.state().id())
                .put("process", st.process())
                .put("restarts", st.restarts())
                .put("lastError", st.lastError());
        st.startedAt().ifPresent(t -> status.put("startedAt", t.toString()));
        n.put("state", st.state().id())
                .put("approval", u.approved() ? "APPROVED" : "QUARANTINED")
                .put("backend", s.kind().id());
        if (st.lastError().isEmpty()) {
            n.putNull("lastError");
        } else {
            n.put("lastError", st.lastError());
        }
        ArrayNode tools = n.putArray("tools");
        boolean anyServing = false;
        for (UpstreamTool t : u.tools()) {
            ObjectNode o = tools.addObject();
            String servedAs = u.name() + UpstreamBackend.SEPARATOR + t.name();
            Served what = served.apply(servedAs);
            // The truth is what agents get: approved in the registry and in the served catalogue.
            // The resources, templates and prompts (pinned as one entry) are not a tool in the catalogue.
            boolean features = t.name().equals(UpstreamBackend.FEATURES);
            boolean serving = t.serving() && (features || what == Served.UPSTREAM);
            anyServing |= serving;
            o.put("name", t.name())
                    .put("servedAs", servedAs)
                    .put("state", t.state().name())
                    .put("present", t.present())
                    .put("serving", serving)
                    .put("digest", t.digest())
                    .put("version", t.version());
            if (features) {
                o.put("servedAs", "resources and prompts of " + u.name());
            }
            if (t.serving() && !serving) {
                o.put(
                        "notServedReason",
                        what == Served.OTHER
                                ? "another tool (an upload) has the name " + servedAs + "; delete it to serve this one"
                                : "not in the served catalogue (see the gateway log)");
            }
            t.pinnedDigest().ifPresent(d -> o.put("pinnedDigest", d));
            if (t.pinnedDigest().isPresent()) {
                o.put("pin", t.pinnedDigest().get());
            } else {
                o.putNull("pin");
            }
            o.set(
                    "inputSchema",
                    t.definition().path("inputSchema").isObject()
                            ? t.definition().get("inputSchema")
                            : json.createObjectNode());
            o.put("description", t.definition().path("description").asText(""));
            if (t.pinnedDefinition().isPresent() && !t.serving()) {
                o.put(
                        "pinnedDescription",
                        t.pinnedDefinition().get().path("description").asText(""));
            }
            ArrayNode signs = o.putArray("poisoningSigns");
            for (PoisoningSign sign : t.signs()) {
                signs.addObject()
                        .put("kind", sign.kind().name())
                        .put("location", sign.location())
                        .put("evidence", sign.evidence());
            }
        }
        n.put("serving", anyServing);
        return n;
    }

    private Handler h(AdminJson.Action action) {
        return web.handler("/v1/upstreams", action, e -> switch (e) {
            case Unavailable x -> Optional.of(new AdminJson.Failure(503, "backend_unavailable"));
            case WillNotStart x -> Optional.of(new AdminJson.Failure(400, "will_not_start"));
            case IllegalArgumentException x -> Optional.of(new AdminJson.Failure(400, "bad_request"));
            default -> Optional.empty();
        });
    }

    private JsonNode body(ServerRequest req) throws IOException {
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            bytes = in.readNBytes(256 * 1024 + 1);
        }
        if (bytes.length > 256 * 1024) {
            throw new IllegalArgumentException("request body too large");
        }
        JsonNode n;
        try {
            n = bytes.length == 0 ? json.createObjectNode() : json.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("the body is not JSON");
        }
        if (!n.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object");
        }
        return n;
    }

    /** An upstream that its launcher says cannot start (missing program, image not on the engine). */
    private static final class WillNotStart extends RuntimeException {
        private static final long serialVersionUID = 1L;

        WillNotStart(String message) {
            super(message, null, false, false);
        }
    }

    /** A backend that cannot run here; the message names why. */
    private static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message, null, false, false);
        }
    }
}

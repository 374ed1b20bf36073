package dev.atoll.gateway.internal.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.registry.Fleet;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.ToolInfo;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The fleet's admin routes (docs/fleet.md), on the admin listener with the admin token:
 *
 * <pre>
 * GET  /v1/fleet                        every node: region, version, up since, ready, revision served,
 *                                       last heartbeat, calls/s, cold starts/s, stale, lagging; plus
 *                                       the database's revision and this node's propagation state
 * POST /v1/tools/{name}/placement       {"regions":["eu","us"]} ([] = every region): the tool's placement
 * </pre>
 */
public final class FleetAdminHttp implements HttpService {

    private final Registry registry;
    private final ObjectMapper json;
    private final AdminJson web;
    private final Duration staleAfter;
    private final String self;
    private final Runnable afterChange;

    /**
     * Creates the service.
     *
     * @param registry the registry
     * @param json the mapper
     * @param staleAfter a node without a heartbeat for longer is flagged stale
     * @param self this node's id (marked in the listing)
     * @param afterChange called after a placement change (refreshes what MCP serves)
     */
    public FleetAdminHttp(
            Registry registry, ObjectMapper json, Duration staleAfter, String self, Runnable afterChange) {
        this.registry = registry;
        this.json = json;
        this.web = new AdminJson(registry, json);
        this.staleAfter = staleAfter;
        this.self = self;
        this.afterChange = afterChange;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/fleet", h((req, a) -> fleet()));
        rules.post("/v1/tools/{name}/placement", h((req, a) -> {
            JsonNode regions = body(req).path("regions");
            if (!regions.isArray()) {
                throw new IllegalArgumentException("the body must be {\"regions\": [\"eu\", ...]} ([] = every region)");
            }
            Set<String> set = new LinkedHashSet<>();
            for (JsonNode r : regions) {
                if (!r.isTextual()) {
                    throw new IllegalArgumentException("each region must be a string");
                }
                set.add(r.asText());
            }
            ToolInfo t = registry.place(AdminJson.name(req), set, a);
            afterChange.run();
            ObjectNode out = json.createObjectNode().put("name", t.name());
            t.regions().forEach(out.putArray("regions")::add);
            out.put("everywhere", t.regions().isEmpty());
            return out;
        }));
    }

    private ObjectNode fleet() {
        ObjectNode out = json.createObjectNode();
        Fleet f = registry.fleet();
        out.put("revision", f.revision());
        out.put("staleAfterMs", staleAfter.toMillis());
        Fleet.Propagation p = f.propagation();
        out.putObject("propagation")
                .put("node", self)
                .put("mode", p.mode().name().toLowerCase(java.util.Locale.ROOT))
                .put("listening", p.listening())
                .put("notifications", p.notifications())
                .put("reconnects", p.reconnects())
                .put("pollMs", p.poll().toMillis());
        ArrayNode nodes = out.putArray("nodes");
        for (Fleet.Node n : f.nodes(staleAfter)) {
            Fleet.Heartbeat b = n.beat();
            nodes.addObject()
                    .put("id", b.id())
                    .put("region", b.region())
                    .put("version", b.version())
                    .put("startedAt", b.startedAt().toString())
                    .put("ready", b.ready())
                    .put("revision", b.revision())
                    .put("lastHeartbeat", n.lastHeartbeat().toString())
                    .put("callsPerSecond", round(b.callsPerSecond()))
                    .put("coldStartsPerSecond", round(b.coldStartsPerSecond()))
                    .put("stale", n.stale())
                    .put("lagging", n.lagging())
                    .put("self", b.id().equals(self));
        }
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private Handler h(AdminJson.Action action) {
        return web.handler(
                "",
                action,
                e -> e instanceof IllegalArgumentException
                        ? Optional.of(new AdminJson.Failure(400, "bad_request"))
                        : Optional.empty());
    }

    private JsonNode body(ServerRequest req) throws IOException {
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            bytes = in.readNBytes(64 * 1024 + 1);
        }
        if (bytes.length > 64 * 1024) {
            throw new IllegalArgumentException("request body too large");
        }
        try {
            JsonNode n = bytes.length == 0 ? json.createObjectNode() : json.readTree(bytes);
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("the body must be a JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the body is not JSON");
        }
    }
}

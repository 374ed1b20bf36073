package dev.atoll.gateway.internal.lifecycle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerResponse;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code GET /livez} and {@code GET /readyz} on the MCP listener, without authentication (a load
 * balancer or kubelet probes them): {@code /livez} is 200 while the process serves HTTP;
 * {@code /readyz} is 200 only when {@link Readiness} says {@link Readiness.State#READY}, else 503.
 * Both answer a small JSON object naming the node, its region and the state; nothing else (no
 * tool names, no versions beyond the build) is exposed.
 */
public final class HealthHttp implements HttpService {

    private final Readiness readiness;
    private final ObjectMapper mapper;
    private final String node;
    private final String region;

    /**
     * The two endpoints.
     *
     * @param readiness the node's readiness
     * @param mapper JSON writer
     * @param node this node's id
     * @param region this node's region
     */
    public HealthHttp(Readiness readiness, ObjectMapper mapper, String node, String region) {
        this.readiness = Objects.requireNonNull(readiness, "readiness");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.node = Objects.requireNonNull(node, "node");
        this.region = Objects.requireNonNull(region, "region");
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/livez", (req, res) -> send(res, 200, body("alive")));
        rules.get("/readyz", (req, res) -> {
            Readiness.State state = readiness.state();
            ObjectNode body = body(state.name().toLowerCase(Locale.ROOT));
            ObjectNode checks = body.putObject("checks");
            readiness.checks().forEach(checks::put);
            send(res, state == Readiness.State.READY ? 200 : 503, body);
        });
    }

    private ObjectNode body(String status) {
        ObjectNode o = mapper.createObjectNode();
        o.put("status", status).put("node", node).put("region", region);
        return o;
    }

    private void send(ServerResponse res, int status, ObjectNode body) {
        res.status(status).header("Content-Type", "application/json").header("Cache-Control", "no-store");
        try {
            res.send(mapper.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.atoll.gateway.internal.admin;

import dev.atoll.gateway.internal.tail.TailBus;
import dev.atoll.gateway.internal.tail.TailEvent;
import io.helidon.webserver.http.Filter;

/**
 * Admin events on the live tail (docs/ui.md): what an operator, the circuit breaker or the system
 * changed, as {@code tool.ACTION} or {@code upstream.ACTION}.
 *
 * @param tail the live tail
 * @param nodeId this node's id in the fleet
 */
public record AdminEvents(TailBus tail, String nodeId) {

    /**
     * Publishes an admin event on the live tail.
     *
     * @param action what happened ({@code tool.deploy})
     * @param target the tool or upstream
     * @param actor who did it
     * @param detail free text
     */
    public void publish(String action, String target, String actor, String detail) {
        tail.publish(new TailEvent.Admin(java.time.Instant.now(), nodeId, action, target, actor, detail));
    }

    /**
     * A filter on the admin listener that publishes each admin API mutation that succeeded
     * ({@code POST}/{@code DELETE} of {@code /v1/tools/NAME[/ACTION]} and {@code /v1/upstreams...}) on
     * the live tail, as {@code tool.ACTION} or {@code upstream.ACTION}. Uploads are published by
     * the gateway's deploy, which knows the tool's name.
     *
     * @return the filter
     */
    public Filter filter() {
        return (chain, req, res) -> {
            chain.proceed();
            String method = req.prologue().method().text();
            if (!(method.equals("POST") || method.equals("DELETE"))
                    || res.status().code() / 100 != 2) {
                return;
            }
            String[] parts = req.path().path().split("/");
            // "", "v1", "tools"|"upstreams", NAME, [ACTION]
            if (parts.length < 4
                    || !parts[1].equals("v1")
                    || !(parts[2].equals("tools") || parts[2].equals("upstreams"))) {
                return;
            }
            String kind = parts[2].equals("tools") ? "tool" : "upstream";
            String action = parts.length > 4 ? parts[4] : method.equals("DELETE") ? "delete" : "";
            if (action.isEmpty() || parts.length > 5) {
                return;
            }
            String actor = req.context().get(TailHttp.ACTOR, String.class).orElse("admin");
            publish(
                    kind + "." + action,
                    java.net.URLDecoder.decode(parts[3], java.nio.charset.StandardCharsets.UTF_8),
                    actor,
                    "");
        };
    }
}

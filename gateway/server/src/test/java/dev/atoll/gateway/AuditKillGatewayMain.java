package dev.atoll.gateway;

import java.util.Map;
import java.util.Set;

/**
 * A gateway with the default configuration (plus any overrides given) in its own JVM for
 * {@link AuditKillTest}: starts on loopback ports with the given data dir and MCP token, prints {@code READY MCP_URL} and runs until
 * killed.
 */
public final class AuditKillGatewayMain {

    private AuditKillGatewayMain() {}

    /**
     * Starts the gateway.
     *
     * @param args the data dir, the MCP token, then any {@code key=value} config overrides
     * @throws InterruptedException never (it waits until killed)
     */
    public static void main(String[] args) throws InterruptedException {
        Map<String, String> config =
                new java.util.HashMap<>(Map.of("mcp.port", "0", "admin.port", "0", "data-dir", args[0]));
        for (int i = 2; i < args.length; i++) { // key=value overrides, e.g. registry.jdbc-url=...
            String[] kv = args[i].split("=", 2);
            config.put(kv[0], kv[1]);
        }
        Gateway g = Gateway.builder()
                .config(GatewayConfig.defaults().with(config))
                .mcpToken(args[1], "kill", Set.of("*"))
                .start();
        System.out.println("READY " + g.mcpUrl());
        System.out.flush();
        Thread.currentThread().join(); // until SIGKILL
    }
}

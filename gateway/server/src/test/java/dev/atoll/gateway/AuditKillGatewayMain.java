package dev.atoll.gateway;

import java.util.Map;
import java.util.Set;

/**
 * A gateway with the default configuration in its own JVM for {@link AuditKillTest}: starts on
 * loopback ports with the given data dir and MCP token, prints {@code READY MCP_URL} and runs until
 * killed.
 */
public final class AuditKillGatewayMain {

    private AuditKillGatewayMain() {
    }

    /**
     * Starts the gateway.
     *
     * @param args the data dir and the MCP token
     * @throws InterruptedException never (it waits until killed)
     */
    public static void main(String[] args) throws InterruptedException {
        Gateway g = Gateway.builder().config(GatewayConfig.defaults().with(Map.of("mcp.port", "0", "admin.port", "0",
                "data-dir", args[0]))).mcpToken(args[1], "kill", Set.of("*")).start();
        System.out.println("READY " + g.mcpUrl());
        System.out.flush();
        Thread.currentThread().join(); // until SIGKILL
    }
}

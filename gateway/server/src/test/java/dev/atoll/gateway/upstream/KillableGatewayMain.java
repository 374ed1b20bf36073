package dev.atoll.gateway.upstream;

import dev.atoll.gateway.Gateway;
import dev.atoll.gateway.GatewayConfig;
import java.util.Map;

/**
 * A gateway in its own JVM for the kill -9 test: starts on loopback ports with the given data dir,
 * prints {@code READY ADMIN_URL ADMIN_TOKEN} and runs until killed.
 */
public final class KillableGatewayMain {

    private KillableGatewayMain() {}

    /**
     * Starts the gateway.
     *
     * @param args the data dir
     * @throws InterruptedException never (it sleeps until killed)
     */
    public static void main(String[] args) throws InterruptedException {
        Gateway g = Gateway.builder()
                .config(GatewayConfig.defaults()
                        .with(Map.of(
                                "mcp.port",
                                "0",
                                "admin.port",
                                "0",
                                "data-dir",
                                args[0],
                                "examples.deploy",
                                "false",
                                "upstreams.health-interval-ms",
                                "500")))
                .start();
        System.out.println("READY " + g.adminUrl() + " " + g.startupTokens().get("ADMIN"));
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}

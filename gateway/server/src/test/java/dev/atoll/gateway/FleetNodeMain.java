package dev.atoll.gateway;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One fleet node in its own JVM for {@link FleetLoadBalancerTest}: a gateway with the given data dir,
 * MCP token and {@code key=value} overrides (ports, database, node id); prints {@code READY MCP_URL}
 * and runs until stopped. SIGTERM drains as {@code atoll serve} does ({@link Gateway#drainAndClose()});
 * SIGKILL just ends it.
 */
public final class FleetNodeMain {

    private FleetNodeMain() {}

    /**
     * Starts the node.
     *
     * @param args the data dir, the MCP token, then {@code key=value} config overrides
     * @throws InterruptedException never (it waits until stopped)
     */
    public static void main(String[] args) throws InterruptedException {
        Map<String, String> config = new HashMap<>(Map.of("data-dir", args[0]));
        for (int i = 2; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            config.put(kv[0], kv[1]);
        }
        Gateway g = Gateway.builder()
                .config(GatewayConfig.defaults().with(config))
                .mcpToken(args[1], "fleet", Set.of("*"))
                .start();
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.out.println("DRAINING");
                            System.out.flush();
                            g.drainAndClose();
                            System.out.println("STOPPED");
                            System.out.flush();
                            stopped.countDown();
                        },
                        "fleet-node-shutdown"));
        System.out.println("READY " + g.mcpUrl());
        System.out.flush();
        stopped.await();
    }
}

package dev.atoll.gateway.cli;

import dev.atoll.gateway.Gateway;
import dev.atoll.gateway.GatewayConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** {@code atoll serve}: starts the gateway and blocks until the process is told to stop. */
final class Serve {

    private Serve() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        Path configFile = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty()) {
            String a = rest.removeFirst();
            switch (a) {
                case "--port" -> overrides.put("mcp.port", value(rest, a));
                case "--admin-port" -> overrides.put("admin.port", value(rest, a));
                case "--host" -> {
                    String h = value(rest, a);
                    overrides.put("mcp.host", h);
                    overrides.put("admin.host", h);
                }
                case "--data" -> overrides.put("data-dir", value(rest, a));
                case "--config" -> configFile = Path.of(value(rest, a));
                case "--set" -> {
                    String kv = value(rest, a);
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new Main.UsageException("--set needs KEY=VALUE, got '" + kv + "'");
                    }
                    overrides.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                default -> throw new Main.UsageException("unknown option '" + a + "' for serve");
            }
        }
        GatewayConfig config = (configFile == null ? GatewayConfig.defaults() : GatewayConfig.load(configFile))
                .with(overrides);
        Gateway gateway = Gateway.builder().config(config).start();
        String mcpToken = token(gateway, "MCP", "ATOLL_MCP_TOKEN");
        String adminToken = token(gateway, "ADMIN", "ATOLL_ADMIN_TOKEN");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            err.println("atoll: stopping (in-flight calls get " + config.http().shutdownGraceMs() + " ms)");
            gateway.close();
            stopped.countDown();
        }, "atoll-shutdown"));
        out.println("Atoll gateway " + Gateway.VERSION + " is running.");
        out.println("  MCP endpoint : " + gateway.mcpUrl());
        out.println("  admin API    : " + gateway.adminUrl());
        out.println("  MCP token    : " + describe(gateway, "MCP", mcpToken, "ATOLL_MCP_TOKEN"));
        out.println("  admin token  : " + describe(gateway, "ADMIN", adminToken, "ATOLL_ADMIN_TOKEN"));
        out.println("  tools        : " + String.join(", ", gateway.toolNames()));
        out.println();
        out.println("Try it (2026-07-28 stateless call):");
        String shown = mcpToken.isEmpty() ? "$ATOLL_MCP_TOKEN" : mcpToken;
        out.println("  curl -s " + gateway.mcpUrl() + " -H \"Authorization: Bearer " + shown + "\" \\");
        out.println("    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \\");
        out.println("    -H 'MCP-Protocol-Version: 2026-07-28' -H 'Mcp-Method: tools/call' -H 'Mcp-Name: word_count' \\");
        out.println("    -d '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"word_count\","
                + "\"arguments\":{\"text\":\"hello big world\"},\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":"
                + "\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{}}}}'");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static String value(List<String> rest, String option) {
        if (rest.isEmpty()) {
            throw new Main.UsageException(option + " needs a value");
        }
        return rest.removeFirst();
    }

    /** The token created at this start, else the one from the environment, else "". */
    private static String token(Gateway gateway, String kind, String env) {
        String created = gateway.startupTokens().get(kind);
        if (created != null) {
            return created;
        }
        String fromEnv = System.getenv(env);
        return fromEnv == null ? "" : fromEnv.trim();
    }

    private static String describe(Gateway gateway, String kind, String token, String env) {
        if (gateway.startupTokens().containsKey(kind)) {
            return token + "   (new: shown only now, stored hashed)";
        }
        return token.isEmpty() ? "(created at first start; set " + env + " or run 'atoll tokens create')" : token;
    }
}

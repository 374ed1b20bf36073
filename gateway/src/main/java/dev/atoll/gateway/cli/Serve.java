package dev.atoll.gateway.cli;

import dev.atoll.gateway.Gateway;
import dev.atoll.gateway.GatewayConfig;
import dev.atoll.gateway.GatewayException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
        String mcpToken = token(config.dataDir(), "ATOLL_MCP_TOKEN", "mcp-token", "atoll_mcp_");
        Gateway gateway = Gateway.builder().config(config).mcpToken(mcpToken, "default", Set.of("*")).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            err.println("atoll: stopping (in-flight calls get " + config.http().shutdownGraceMs() + " ms)");
            gateway.close();
            stopped.countDown();
        }, "atoll-shutdown"));
        out.println("Atoll gateway " + Gateway.VERSION + " is running.");
        out.println("  MCP endpoint : " + gateway.mcpUrl());
        out.println("  admin API    : " + gateway.adminUrl());
        out.println("  MCP token    : " + mcpToken);
        out.println("  tools        : " + String.join(", ", gateway.toolNames()));
        out.println();
        out.println("Try it (2026-07-28 stateless call):");
        out.println("  curl -s " + gateway.mcpUrl() + " -H 'Authorization: Bearer " + mcpToken + "' \\");
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

    /** The token from the environment, else the one kept in the data dir, else a new one kept there. */
    static String token(Path dataDir, String env, String file, String prefix) {
        String fromEnv = System.getenv(env);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.trim();
        }
        Path p = dataDir.resolve(file);
        try {
            if (Files.exists(p)) {
                return Files.readString(p, StandardCharsets.UTF_8).trim();
            }
            Files.createDirectories(dataDir);
            byte[] b = new byte[32];
            new SecureRandom().nextBytes(b);
            String t = prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
            Files.writeString(p, t + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            return t;
        } catch (IOException e) {
            throw new GatewayException("cannot keep the token in " + p + ": " + e.getMessage());
        }
    }
}

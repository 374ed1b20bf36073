package dev.atoll.gateway.cli;

import dev.atoll.gateway.Gateway;
import dev.atoll.gateway.GatewayConfig;
import dev.atoll.gateway.ListenerUnavailableException;
import dev.atoll.gateway.LogFormat;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code atoll serve}: starts the gateway and blocks until the process is told to stop. */
@Command(
        name = "serve",
        description = {
            "Start the MCP gateway with the example tools deployed (MCP on --port, "
                    + "the admin API on --admin-port, both on 127.0.0.1) and print the URLs, tokens and a ready-to-paste call.",
            "Tokens come from ATOLL_MCP_TOKEN and ATOLL_ADMIN_TOKEN, or are generated on first start (shown once, "
                    + "stored hashed in the data dir).",
            "A port in use is one line naming the port and the option to change; nothing is created then (exit 2)."
        })
final class Serve implements Callable<Integer> {

    /** Held so the level changes are not garbage-collected with the loggers. */
    private static final List<java.util.logging.Logger> QUIET = new ArrayList<>();

    @Spec
    @SuppressWarnings("NullAway.Init") // picocli injects the spec before call()
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "N", description = "the MCP listener's port (default 8080; 0 = any free)")
    @Nullable
    Integer port;

    @Option(names = "--admin-port", paramLabel = "N", description = "the admin API's port (default 8081; 0 = any free)")
    @Nullable
    Integer adminPort;

    @Option(names = "--host", paramLabel = "ADDR", description = "the address both listeners bind (default 127.0.0.1)")
    @Nullable
    String host;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "the data directory: registry, tokens, audit log (default ./data)")
    @Nullable
    String data;

    @Option(names = "--node", paramLabel = "ID", description = "this node's name in a fleet (default: the host name)")
    @Nullable
    String node;

    @Option(
            names = "--region",
            paramLabel = "NAME",
            description = "this node's region, for tool placement (default 'default')")
    @Nullable
    String region;

    @Option(
            names = "--registry",
            paramLabel = "URL",
            description = {
                "the registry database shared by a fleet: "
                        + "postgresql://USER@HOST:5432/DB (or a jdbc:postgresql: URL); sets registry.jdbc-url and registry.user.",
                "The password comes from ATOLL_REGISTRY_PASSWORD or registry.password (env:VAR, file:PATH), never the URL."
            })
    @Nullable
    String registry;

    @Option(
            names = "--log-format",
            paramLabel = "FORMAT",
            description =
                    "the server log on stderr: text (default) or json (one JSON object per line, for log shippers)")
    @Nullable
    String logFormat;

    @Option(names = "--config", paramLabel = "FILE", description = "a YAML configuration file (docs/configuration.md)")
    @Nullable
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "set one configuration key (repeatable)")
    List<String> sets = new ArrayList<>();

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "show this help and exit")
    boolean help;

    /**
     * The configuration keys that {@code --registry URL} sets.
     *
     * @param url {@code postgresql://USER@HOST[:PORT]/DB[?params]} or {@code jdbc:postgresql://...}
     * @param passwordInEnv whether {@code ATOLL_REGISTRY_PASSWORD} is set (then it is the password)
     * @return dotted keys to YAML values
     * @throws IllegalArgumentException naming what is wrong with the URL
     */
    static Map<String, String> registryOverrides(String url, boolean passwordInEnv) {
        Map<String, String> out = new LinkedHashMap<>();
        String jdbc;
        if (url.startsWith("jdbc:postgresql:")) {
            jdbc = url;
        } else {
            java.net.URI u;
            try {
                u = new java.net.URI(url);
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException("not a URL: " + e.getReason());
            }
            if (!"postgresql".equals(u.getScheme()) && !"postgres".equals(u.getScheme())) {
                throw new IllegalArgumentException(
                        "expected postgresql://USER@HOST:5432/DB, got scheme '" + u.getScheme() + "'");
            }
            if (u.getHost() == null || u.getPath() == null || u.getPath().length() < 2 || u.getFragment() != null) {
                throw new IllegalArgumentException("expected postgresql://USER@HOST:5432/DB (a host and a database)");
            }
            String user = u.getUserInfo();
            if (user != null && user.contains(":")) {
                throw new IllegalArgumentException("no password in the URL (it would show in the process list): "
                        + "set ATOLL_REGISTRY_PASSWORD or registry.password (env:VAR or file:PATH)");
            }
            if (user != null && !user.isEmpty()) {
                out.put("registry.user", json(user));
            }
            jdbc = "jdbc:postgresql://" + (u.getHost().contains(":") ? "[" + u.getHost() + "]" : u.getHost())
                    + (u.getPort() > 0 ? ":" + u.getPort() : "") + u.getRawPath()
                    + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
        }
        if (jdbc.matches("(?i).*[?&]password=.*")) {
            throw new IllegalArgumentException("no password in the URL (it would show in the process list): "
                    + "set ATOLL_REGISTRY_PASSWORD or registry.password (env:VAR or file:PATH)");
        }
        out.put("registry.jdbc-url", json(jdbc));
        if (passwordInEnv) {
            out.put("registry.password", json("env:ATOLL_REGISTRY_PASSWORD"));
        }
        return out;
    }

    /** A string as a YAML (JSON) scalar. */
    private static String json(String s) {
        return com.fasterxml.jackson.databind.node.TextNode.valueOf(s).toString();
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String kv : sets) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(spec.commandLine(), "--set needs KEY=VALUE, got '" + kv + "'");
            }
            overrides.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        if (port != null) {
            overrides.put("mcp.port", port.toString());
        }
        if (adminPort != null) {
            overrides.put("admin.port", adminPort.toString());
        }
        if (host != null) {
            overrides.put("mcp.host", host);
            overrides.put("admin.host", host);
        }
        if (data != null) {
            overrides.put("data-dir", data);
        }
        if (node != null) {
            overrides.put("node.id", node);
        }
        if (region != null) {
            overrides.put("node.region", region);
        }
        if (registry != null) {
            try {
                overrides.putAll(registryOverrides(registry, System.getenv("ATOLL_REGISTRY_PASSWORD") != null));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--registry: " + e.getMessage());
            }
        }
        if (logFormat != null) {
            try {
                overrides.put("log.format", LogFormat.of(logFormat).id());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(
                        spec.commandLine(), "--log-format must be text or json, got '" + logFormat + "'");
            }
        }
        // Startup chatter of the store's libraries stays out of the operator's way; warnings still show.
        for (String noisy : List.of("org.flywaydb", "com.zaxxer.hikari", "io.helidon.common.features")) {
            QUIET.add(java.util.logging.Logger.getLogger(noisy));
        }
        QUIET.forEach(l -> l.setLevel(java.util.logging.Level.WARNING));
        GatewayConfig config =
                (configFile == null ? GatewayConfig.defaults() : GatewayConfig.load(configFile)).with(overrides);
        config.log().logFormat().install();
        Gateway gateway;
        try {
            gateway = Gateway.builder().config(config).start();
        } catch (ListenerUnavailableException e) {
            String flag = e.configKey().equals("mcp.port") ? "--port" : "--admin-port";
            err.println("atoll: port " + e.port() + " on " + e.host() + " is not available for the "
                    + (e.configKey().equals("mcp.port") ? "MCP listener" : "admin API") + " (" + e.reason()
                    + "): choose another with " + flag
                    + " N (or --set " + e.configKey() + "=N)");
            return Main.USAGE;
        }
        String mcpToken = token(gateway, "MCP", "ATOLL_MCP_TOKEN");
        String adminToken = token(gateway, "ADMIN", "ATOLL_ADMIN_TOKEN");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            err.println("atoll: draining (not ready; calls taken for "
                                    + config.http().drainDelayMs() + " ms more), then stopping (in-flight calls get "
                                    + config.http().shutdownGraceMs() + " ms)");
                            err.flush();
                            gateway.drainAndClose();
                            stopped.countDown();
                        },
                        "atoll-shutdown"));
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
        out.println(
                "    -H 'MCP-Protocol-Version: 2026-07-28' -H 'Mcp-Method: tools/call' -H 'Mcp-Name: word_count' \\");
        out.println(
                "    -d '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"word_count\","
                        + "\"arguments\":{\"text\":\"hello big world\"},\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":"
                        + "\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{}}}}'");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Main.OK;
    }

    /** The token created at this start, else the one from the environment, else "". */
    static String token(Gateway gateway, String kind, String env) {
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

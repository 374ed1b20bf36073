package dev.atoll.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.Gateway;
import dev.atoll.gateway.GatewayConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Not a JMH benchmark: an upstream MCP server (server-everything, the pinned Node 22) measured two ways.
 * <ol>
 *   <li><b>Start to first {@code tools/list}</b>: directly (spawn {@code node}, {@code initialize},
 *       {@code tools/list} over stdio, no sandbox) vs through the gateway under bubblewrap (from
 *       {@code POST /v1/upstreams} until the admin API shows the server running with its tools,
 *       polled every 2 ms).</li>
 *   <li><b>{@code tools/call} latency</b> of {@code echo}: directly over stdio vs through the
 *       gateway's MCP endpoint (HTTP, auth, DLP both ways, audit, stdio to the sandboxed server);
 *       one closed-loop caller.</li>
 * </ol>
 *
 * <pre>
 * BENCH_MAIN=dev.atoll.benchmarks.UpstreamProbe benchmarks/run.sh STARTS CALLS
 * # the same through the Docker backend, with the test image (scripts/docker-image.sh prints its tag)
 * BENCH_MAIN=dev.atoll.benchmarks.UpstreamProbe benchmarks/run.sh STARTS CALLS "$(scripts/docker-image.sh)"
 * </pre>
 */
public final class UpstreamProbe {

    private static final ObjectMapper JSON = new ObjectMapper();

    private UpstreamProbe() {}

    /**
     * @param args number of starts per backend, number of calls per path
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int starts = Integer.parseInt(args.length > 0 ? args[0] : "10");
        int calls = Integer.parseInt(args.length > 1 ? args[1] : "2000");
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("scripts/node/package.json"))) {
            root = Objects.requireNonNull(root.getParent(), "not run inside the repository");
        }
        String node =
                root.resolve("scripts/node/node_modules/.bin/node").toRealPath().toString();
        String server = root.resolve("scripts/node/node_modules/@modelcontextprotocol/server-everything/dist/index.js")
                .toString();
        List<String> cmd = List.of(node, server, "stdio");
        // With an image: the sandboxed side runs in Docker, the same server from the test image.
        java.util.Optional<String> image =
                args.length > 2 ? java.util.Optional.of(args[2]) : java.util.Optional.empty();
        String backend = image.isPresent() ? "docker" : "bubblewrap";

        long[] direct = new long[starts];
        for (int i = 0; i < starts; i++) {
            long t0 = System.nanoTime();
            try (Stdio s = new Stdio(cmd)) {
                s.request(
                        "initialize",
                        JSON.createObjectNode()
                                .put("protocolVersion", "2025-06-18")
                                .<ObjectNode>set("capabilities", JSON.createObjectNode())
                                .set(
                                        "clientInfo",
                                        JSON.createObjectNode()
                                                .put("name", "probe")
                                                .put("version", "1")));
                s.notify("notifications/initialized");
                s.request("tools/list", JSON.createObjectNode());
                direct[i] = System.nanoTime() - t0;
            }
        }
        print("start to first tools/list, direct stdio (no sandbox)", direct);

        String token = "atoll_mcp_upstream_probe_token_01";
        Path data = Files.createTempDirectory("atoll-upstream-probe");
        GatewayConfig config = GatewayConfig.defaults()
                .with(Map.of(
                        "mcp.port", "0", "admin.port", "0", "data-dir", data.toString(), "examples.deploy", "false"));
        try (Gateway g = Gateway.builder()
                        .config(config)
                        .mcpToken(token, "probe", Set.of("*"))
                        .start();
                HttpClient http = HttpClient.newHttpClient()) {
            // A fresh data directory: the first start mints the admin token.
            String admin = Objects.requireNonNull(g.startupTokens().get("ADMIN"), "no admin token minted");
            long[] sandboxed = new long[starts];
            for (int i = 0; i < starts; i++) {
                String name = "every" + i;
                long t0 = System.nanoTime();
                adminCall(
                        http,
                        g,
                        admin,
                        "POST",
                        "/v1/upstreams",
                        image.<Map<String, Object>>map(img -> Map.of(
                                        "name",
                                        name,
                                        "kind",
                                        "docker",
                                        "image",
                                        img,
                                        "command",
                                        List.of(
                                                "node",
                                                "/opt/mcp/node_modules/@modelcontextprotocol/server-everything/dist/index.js",
                                                "stdio")))
                                .orElse(Map.of("name", name, "command", cmd)));
                for (int spin = 0; ; spin++) {
                    JsonNode u = adminCall(http, g, admin, "GET", "/v1/upstreams/" + name, null);
                    if (u.path("status").path("state").asText().equals("running")
                            && u.path("tools").size() > 0) {
                        break;
                    }
                    if (spin > 30_000) {
                        throw new IllegalStateException("upstream did not start: " + u);
                    }
                    Thread.sleep(2);
                }
                sandboxed[i] = System.nanoTime() - t0;
                if (i > 0) {
                    adminCall(http, g, admin, "DELETE", "/v1/upstreams/" + name, null);
                }
            }
            print("start to first tools/list, through the gateway, " + backend, sandboxed);
            adminCall(http, g, admin, "POST", "/v1/upstreams/every0/approve", Map.of());

            long[] viaGateway = new long[calls];
            String url = g.mcpUrl();
            HttpResponse<String> init = http.send(post(url, token, null, """
                    {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",\
                    "capabilities":{},"clientInfo":{"name":"probe","version":"1"}}}"""), HttpResponse.BodyHandlers.ofString());
            String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
            http.send(
                    post(url, token, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"),
                    HttpResponse.BodyHandlers.ofString());
            String call =
                    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"every0__echo\","
                            + "\"arguments\":{\"message\":\"hello\"}}}";
            for (int i = 0; i < calls; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> r =
                        http.send(post(url, token, session, call), HttpResponse.BodyHandlers.ofString());
                viaGateway[i] = System.nanoTime() - t0;
                if (!r.body().contains("Echo: hello")) {
                    throw new IllegalStateException("unexpected reply: " + r.body());
                }
            }
            long[] directCalls = new long[calls];
            try (Stdio s = new Stdio(cmd)) {
                s.request(
                        "initialize",
                        JSON.createObjectNode()
                                .put("protocolVersion", "2025-06-18")
                                .<ObjectNode>set("capabilities", JSON.createObjectNode())
                                .set(
                                        "clientInfo",
                                        JSON.createObjectNode()
                                                .put("name", "probe")
                                                .put("version", "1")));
                s.notify("notifications/initialized");
                ObjectNode p = JSON.createObjectNode().put("name", "echo");
                p.putObject("arguments").put("message", "hello");
                for (int i = 0; i < calls; i++) {
                    long t0 = System.nanoTime();
                    JsonNode r = s.request("tools/call", p);
                    directCalls[i] = System.nanoTime() - t0;
                    if (!r.toString().contains("Echo: hello")) {
                        throw new IllegalStateException("unexpected reply: " + r);
                    }
                }
            }
            // The first 20 % of each series is warm-up (JIT of both JVM and Node).
            print("tools/call echo, direct stdio (no sandbox)", Arrays.copyOfRange(directCalls, calls / 5, calls));
            print(
                    "tools/call echo, through the gateway (HTTP, DLP, audit, " + backend + ")",
                    Arrays.copyOfRange(viaGateway, calls / 5, calls));
        }
    }

    private static HttpRequest post(String url, String token, @Nullable String session, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18");
        }
        return b.build();
    }

    private static JsonNode adminCall(
            HttpClient http, Gateway g, String token, String method, String path, @Nullable Object body)
            throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(g.adminUrl() + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .build();
        return JSON.readTree(
                http.send(r, HttpResponse.BodyHandlers.ofByteArray()).body());
    }

    private static void print(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf(
                "%-72s n=%d p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms%n",
                what,
                s.length,
                s[s.length / 2] / 1e6,
                s[(int) (s.length * 0.9)] / 1e6,
                s[Math.min(s.length - 1, (int) (s.length * 0.99))] / 1e6,
                s[s.length - 1] / 1e6);
    }

    /** A server on stdio, spoken to directly: one request at a time. */
    private static final class Stdio implements AutoCloseable {
        private final Process p;
        private final OutputStream in;
        private final BufferedReader out;
        private long id;

        Stdio(List<String> cmd) throws Exception {
            p = new ProcessBuilder(new ArrayList<>(cmd))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            in = p.getOutputStream();
            out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        }

        JsonNode request(String method, ObjectNode params) throws Exception {
            long my = ++id;
            ObjectNode m =
                    JSON.createObjectNode().put("jsonrpc", "2.0").put("id", my).put("method", method);
            m.set("params", params);
            in.write((m + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            for (String line; (line = out.readLine()) != null; ) {
                JsonNode r = JSON.readTree(line);
                if (r.path("id").asLong(-1) == my) {
                    return r.path("result");
                }
            }
            throw new IllegalStateException("server closed stdout");
        }

        void notify(String method) throws Exception {
            in.write(("{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\"}\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        @Override
        public void close() {
            p.destroyForcibly();
        }
    }
}

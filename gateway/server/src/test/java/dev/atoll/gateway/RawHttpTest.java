package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both listeners seen by a raw HTTP/1.1 client on a socket: {@code Connection: close} really closes
 * the connection (RFC 9112 §9.6, issue #17 item 9) and the admin listener checks Host and Origin as
 * the MCP listener does (issue #18 W11).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RawHttpTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    private static final String TOKEN = "atoll_mcp_raw_http_test_token_0";
    private Gateway gateway;
    private String adminToken;

    @BeforeAll
    void start() throws IOException {
        gateway = Gateway.builder()
                .config(GatewayConfig.defaults()
                        .with(Map.of(
                                "mcp.port",
                                "0",
                                "admin.port",
                                "0",
                                "data-dir",
                                Files.createTempDirectory(scratch, "atoll-raw-http")
                                        .toString(),
                                "examples.deploy",
                                "false")))
                .mcpToken(TOKEN, "acme", Set.of("*"))
                .start();
        adminToken = gateway.startupTokens().get("ADMIN");
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    /** The response of one request on a fresh connection, and whether the server then closed it. */
    record Exchange(String response, boolean closedByServer) {
        int status() {
            return Integer.parseInt(response.substring(9, 12));
        }
    }

    /** Sends raw bytes and reads until the server closes the connection or 10 s pass without data. */
    private static Exchange exchange(String url, String request) throws IOException {
        URI u = URI.create(url);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), u.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    got.write(buf, 0, n);
                }
                return new Exchange(got.toString(StandardCharsets.ISO_8859_1), true);
            } catch (SocketTimeoutException e) {
                return new Exchange(got.toString(StandardCharsets.ISO_8859_1), false);
            }
        }
    }

    private static String post(String path, String host, String body, String... headers) {
        StringBuilder b = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        return b.append("Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n")
                .append("Content-Length: ")
                .append(body.getBytes(StandardCharsets.UTF_8).length)
                .append("\r\n\r\n")
                .append(body)
                .toString();
    }

    private static String get(String path, String host, String... headers) {
        StringBuilder b = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    @Test
    void connectionCloseClosesTheConnectionAfterTheResponse() throws IOException {
        String ping = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"_meta\":{"
                + "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                + "\"io.modelcontextprotocol/clientCapabilities\":{}}}}";
        Map<String, String> requests = Map.of(
                "MCP call",
                        post(
                                "/mcp",
                                "127.0.0.1",
                                ping,
                                "Authorization: Bearer " + TOKEN,
                                "MCP-Protocol-Version: 2026-07-28",
                                "Mcp-Method: ping",
                                "Connection: close"),
                "MCP 401", post("/mcp", "127.0.0.1", ping, "Connection: close"),
                "MCP 403", post("/mcp", "evil.example", ping, "Connection: close"),
                "admin health", get("/health", "127.0.0.1", "Connection: close"),
                "admin API", get("/v1/tools", "127.0.0.1", "Authorization: Bearer " + adminToken, "Connection: close"));
        java.util.List<String> problems = new java.util.ArrayList<>();
        for (var e : new java.util.TreeMap<>(requests).entrySet()) {
            String url = e.getKey().startsWith("MCP") ? gateway.mcpUrl() : gateway.adminUrl();
            Exchange x = exchange(url, e.getValue());
            if (!x.response().startsWith("HTTP/1.1 ")
                    || !x.closedByServer()
                    || !x.response().toLowerCase().contains("\r\nconnection: close\r\n")) {
                problems.add(e.getKey() + (x.closedByServer() ? "" : " (left open)") + ": " + x.response());
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void adminListenerRefusesForeignHostAndOrigin() throws IOException {
        String auth = "Authorization: Bearer " + adminToken;
        assertEquals(
                200,
                exchange(gateway.adminUrl(), get("/v1/tools", "127.0.0.1", auth, "Connection: close"))
                        .status());
        assertEquals(
                200,
                exchange(
                                gateway.adminUrl(),
                                get(
                                        "/v1/tools",
                                        "localhost:8081",
                                        auth,
                                        "Origin: http://localhost:3000",
                                        "Connection: close"))
                        .status(),
                "loopback names and origins are fine");
        Exchange host = exchange(gateway.adminUrl(), get("/v1/tools", "attacker.example", auth, "Connection: close"));
        assertEquals(403, host.status(), host.response());
        assertTrue(host.response().contains("Host not allowed"), host.response());
        Exchange origin = exchange(
                gateway.adminUrl(),
                post(
                        "/v1/tools/x/disable",
                        "127.0.0.1",
                        "{}",
                        auth,
                        "Origin: http://evil.example",
                        "Connection: close"));
        assertEquals(403, origin.status(), origin.response());
        assertTrue(origin.response().contains("Origin not allowed"), origin.response());
        Exchange noAuth = exchange(gateway.adminUrl(), get("/health", "rebind.example", "Connection: close"));
        assertEquals(403, noAuth.status(), "even unauthenticated routes: " + noAuth.response());
    }
}

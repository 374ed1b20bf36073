package dev.atoll.loadtest.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.loadtest.LoadTestException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MCP {@code tools/call} over HTTP/1.1 with keep-alive connections (the JDK client pools them): the
 * 2026-07-28 stateless era (no session; {@code _meta} protocol version, {@code Mcp-Method}/{@code Mcp-Name}
 * headers) or the 2025 session era ({@code initialize}, then {@code Mcp-Session-Id} on every call).
 */
public final class HttpMcpCaller implements Caller {

    /** Protocol version of the stateless era. */
    public static final String STATELESS_VERSION = "2026-07-28";
    /** Protocol version asked for in the session era. */
    public static final String SESSION_VERSION = "2025-11-25";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI url;
    private final String token;
    private final String tool;
    private final boolean stateless;
    private final Duration timeout;
    private final List<String> bodySuffixes = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong(1);
    private final Optional<String> session;

    /**
     * Connects (for the session era: opens the session).
     *
     * @param url the MCP endpoint
     * @param token the bearer token ("" for none)
     * @param tool the tool name
     * @param arguments the argument sets, each a JSON object
     * @param stateless true for 2026-07-28, false for a 2025 session
     * @param timeout longest one call may take
     * @throws LoadTestException if the session cannot be opened
     */
    public HttpMcpCaller(
            URI url, String token, String tool, List<ObjectNode> arguments, boolean stateless, Duration timeout) {
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.url = url;
        this.token = token;
        this.tool = tool;
        this.stateless = stateless;
        this.timeout = timeout;
        for (ObjectNode a : arguments) {
            ObjectNode params = JSON.createObjectNode();
            params.put("name", tool);
            params.set("arguments", a);
            if (stateless) {
                params.putObject("_meta")
                        .put("io.modelcontextprotocol/protocolVersion", STATELESS_VERSION)
                        .putObject("io.modelcontextprotocol/clientCapabilities");
            }
            bodySuffixes.add(",\"method\":\"tools/call\",\"params\":" + params + "}");
        }
        this.session = stateless ? Optional.empty() : Optional.of(openSession());
    }

    private String openSession() {
        String init = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                + SESSION_VERSION + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"atoll-loadtest\","
                + "\"version\":\"1\"}}}";
        try {
            HttpResponse<String> r =
                    http.send(request(init, Optional.empty()).build(), HttpResponse.BodyHandlers.ofString());
            Optional<String> sid = r.headers().firstValue("Mcp-Session-Id");
            if (r.statusCode() != 200 || sid.isEmpty()) {
                throw new LoadTestException("initialize at " + url + " answered HTTP " + r.statusCode()
                        + (sid.isEmpty() ? " without an Mcp-Session-Id" : "") + ": " + abbreviate(r.body()));
            }
            HttpResponse<String> n = http.send(
                    request("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", sid)
                            .header("MCP-Protocol-Version", SESSION_VERSION)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (n.statusCode() / 100 != 2) {
                throw new LoadTestException("notifications/initialized at " + url + " answered HTTP " + n.statusCode());
            }
            return sid.get();
        } catch (IOException e) {
            throw new LoadTestException("cannot reach " + url + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoadTestException("interrupted while opening a session at " + url, e);
        }
    }

    private HttpRequest.Builder request(String body, Optional<String> sid) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream");
        if (!token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        sid.ifPresent(s -> b.header("Mcp-Session-Id", s));
        return b;
    }

    @Override
    public Result call(int argumentSet) {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":" + ids.getAndIncrement() + bodySuffixes.get(argumentSet);
        HttpRequest.Builder b = request(body, session);
        if (stateless) {
            b.header("MCP-Protocol-Version", STATELESS_VERSION)
                    .header("Mcp-Method", "tools/call")
                    .header("Mcp-Name", tool);
        } else {
            b.header("MCP-Protocol-Version", SESSION_VERSION);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Result(outcome(r), Phases.NONE);
        } catch (HttpTimeoutException e) {
            return new Result("timeout", Phases.NONE);
        } catch (IOException e) {
            return new Result("io_error", Phases.NONE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result("interrupted", Phases.NONE);
        }
    }

    /** Classifies an answer: {@code ok}, {@code tool_error}, {@code rpc_error_CODE}, {@code http_STATUS}, {@code bad_response}. */
    static String outcome(HttpResponse<String> r) {
        if (r.statusCode() != 200) {
            return "http_" + r.statusCode();
        }
        String body = r.body();
        boolean sse = r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream");
        if (sse) {
            body = lastData(body);
        }
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isObject()) {
                return "bad_response";
            }
            if (n.has("error")) {
                return "rpc_error_" + n.path("error").path("code").asInt();
            }
            JsonNode result = n.path("result");
            if (!result.isObject()) {
                return "bad_response";
            }
            return result.path("isError").asBoolean(false) ? "tool_error" : "ok";
        } catch (IOException e) {
            return "bad_response";
        }
    }

    /** The last {@code data:} event of an SSE body (the JSON-RPC response follows any notifications). */
    private static String lastData(String body) {
        String last = "";
        StringBuilder current = new StringBuilder();
        for (String line : body.split("\r?\n", -1)) {
            if (line.startsWith("data:")) {
                current.append(line.substring(5).strip());
            } else if (line.isEmpty() && !current.isEmpty()) {
                last = current.toString();
                current.setLength(0);
            }
        }
        return current.isEmpty() ? last : current.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    @Override
    public void close() {
        session.ifPresent(sid -> {
            try {
                http.send(
                        HttpRequest.newBuilder(url)
                                .timeout(Duration.ofSeconds(5))
                                .DELETE()
                                .header("Authorization", "Bearer " + token)
                                .header("Mcp-Session-Id", sid)
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
            } catch (IOException e) {
                // the session expires on its own
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        http.close();
    }
}

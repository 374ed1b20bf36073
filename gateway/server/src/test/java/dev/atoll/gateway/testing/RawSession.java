package dev.atoll.gateway.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A 2025-era MCP session over plain HTTP (no SDK), for tests that need to see exactly what crosses the
 * wire: {@code initialize}, requests answered as JSON or SSE, the session's GET stream, DELETE.
 */
public final class RawSession implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VERSION = "2025-11-25";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
    private final URI url;
    private final String token;
    private final String id;
    private int next = 1;

    /**
     * Opens a session (no client capabilities).
     *
     * @param mcpUrl the gateway's MCP URL
     * @param token a bearer token
     */
    public RawSession(String mcpUrl, String token) throws IOException, InterruptedException {
        this.url = URI.create(mcpUrl);
        this.token = token;
        HttpResponse<String> r = http.send(
                post(
                        null,
                        "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":"
                                + "{\"protocolVersion\":\"" + VERSION
                                + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\","
                                + "\"version\":\"1\"}}}"),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("initialize answered " + r.statusCode() + ": " + r.body());
        }
        this.id = r.headers().firstValue("mcp-session-id").orElseThrow();
    }

    private HttpRequest post(String session, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url)
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream");
        if (session != null) {
            b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", VERSION);
        }
        return b.build();
    }

    /**
     * Sends a request and returns its response (the last message of an SSE answer).
     *
     * @param method the method
     * @param paramsJson its params as JSON
     * @return the JSON-RPC response
     */
    public synchronized JsonNode call(String method, String paramsJson) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                post(
                        id,
                        "{\"jsonrpc\":\"2.0\",\"id\":" + next++ + ",\"method\":\"" + method + "\",\"params\":"
                                + paramsJson + "}"),
                HttpResponse.BodyHandlers.ofString());
        JsonNode last = null;
        if (r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream")) {
            for (String line : r.body().split("\n")) {
                if (line.startsWith("data: ")) {
                    last = JSON.readTree(line.substring(6));
                }
            }
        } else {
            last = JSON.readTree(r.body());
        }
        if (last == null) {
            throw new AssertionError(method + " answered " + r.statusCode() + " without a message: " + r.body());
        }
        return last;
    }

    /**
     * Opens the session's GET stream and waits (at most 60 s) until it is open.
     *
     * @return its lines as they arrive
     */
    public BlockingQueue<String> stream() throws InterruptedException {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        http.sendAsync(
                        HttpRequest.newBuilder(url)
                                .GET()
                                .header("Authorization", "Bearer " + token)
                                .header("Accept", "text/event-stream")
                                .header("Mcp-Session-Id", id)
                                .header("MCP-Protocol-Version", VERSION)
                                .build(),
                        HttpResponse.BodyHandlers.ofLines())
                .thenAcceptAsync(r -> r.body().forEach(lines::add), readers);
        if (lines.poll(60, TimeUnit.SECONDS) == null) { // its first keep-alive comment
            throw new AssertionError("the GET stream did not open within 60 s");
        }
        return lines;
    }

    /** Ends the session (DELETE). */
    public void delete() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(url)
                        .DELETE()
                        .header("Authorization", "Bearer " + token)
                        .header("Mcp-Session-Id", id)
                        .header("MCP-Protocol-Version", VERSION)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("DELETE answered " + r.statusCode() + ": " + r.body());
        }
    }

    /**
     * The next message of a stream that matches, waiting at most 60 s.
     *
     * @param lines a stream's lines
     * @param wanted which message
     * @return the message
     */
    public static JsonNode next(BlockingQueue<String> lines, Predicate<JsonNode> wanted) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null && line.startsWith("data: ")) {
                JsonNode m = JSON.readTree(line.substring(6));
                if (wanted.test(m)) {
                    return m;
                }
            }
        }
        throw new AssertionError("no such message within 60 s");
    }

    @Override
    public void close() {
        readers.shutdownNow();
        http.shutdownNow();
    }
}

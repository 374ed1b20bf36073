package dev.atoll.gateway.upstream.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.upstream.spi.SandboxProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The test side of a sandboxed process's stdio: lines of stdout (and stderr) collected on their own
 * threads, and a few lines of newline-delimited JSON-RPC for an MCP handshake. Test-only; the
 * gateway's real MCP client lives with the upstream manager.
 */
final class StdioPeer {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String EOF = "\u0000EOF";

    private final SandboxProcess process;
    private final BlockingQueue<String> out = new LinkedBlockingQueue<>();
    private final List<String> err = new ArrayList<>();
    /** Lines read while waiting for a response that were not that response (notifications). */
    final List<JsonNode> notifications = new java.util.concurrent.CopyOnWriteArrayList<>();

    private int nextId = 1;

    StdioPeer(SandboxProcess process) {
        this.process = process;
        Thread.ofVirtual()
                .start(() -> pump(
                        new BufferedReader(new InputStreamReader(process.stdout(), StandardCharsets.UTF_8)), true));
        Thread.ofVirtual()
                .start(() -> pump(
                        new BufferedReader(new InputStreamReader(process.stderr(), StandardCharsets.UTF_8)), false));
    }

    private void pump(BufferedReader reader, boolean stdout) {
        try (reader) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (stdout) {
                    out.add(line);
                } else {
                    synchronized (err) {
                        err.add(line);
                    }
                }
            }
        } catch (IOException e) {
            // stream closed
        } finally {
            if (stdout) {
                out.add(EOF);
            }
        }
    }

    /** The next stdout line, or null at end of stream or after {@code timeout}. */
    String line(Duration timeout) throws InterruptedException {
        String l = out.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (EOF.equals(l)) {
            out.add(EOF);
            return null;
        }
        return l;
    }

    /** Every stdout line until end of stream (bounded by {@code timeout}). */
    List<String> linesUntilEof(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> lines = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            String l = line(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (l == null) {
                break;
            }
            lines.add(l);
        }
        return lines;
    }

    String stderr() {
        synchronized (err) {
            return String.join("\n", err);
        }
    }

    void send(JsonNode message) {
        try {
            process.stdin().write((JSON.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8));
            process.stdin().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a request and returns its response (skipping notifications and other lines). */
    JsonNode request(String method, JsonNode params, Duration timeout) throws Exception {
        int id = nextId++;
        ObjectNode msg =
                JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        msg.set("params", params);
        send(msg);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String l = line(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (l == null) {
                break;
            }
            JsonNode node = JSON.readTree(l);
            if (node.path("id").asInt(-1) == id) {
                return node;
            }
            notifications.add(node);
        }
        throw new AssertionError("no response to " + method + " within " + timeout + "; stderr:\n" + stderr());
    }

    /** initialize + notifications/initialized (MCP 2025-06-18). */
    JsonNode initialize(Duration timeout) throws Exception {
        JsonNode params = JSON.readTree("""
                {"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"atoll-test","version":"1"}}""");
        JsonNode response = request("initialize", params, timeout);
        send(JSON.readTree("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"));
        return response;
    }

    JsonNode callTool(String name, String argumentsJson, Duration timeout) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("name", name);
        params.set("arguments", JSON.readTree(argumentsJson));
        return request("tools/call", params, timeout);
    }
}

package dev.atoll.gateway.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code atoll tail}: the live tail of a gateway (calls as they finish, admin events) over SSE. */
@Command(
        name = "tail",
        description = {
            "Stream calls as they finish, and admin events (deploy, approve, reject, "
                    + "rug pulls, upstream state changes), from the gateway's admin API until interrupted (Ctrl-C).",
            "One line per event: time, node, tenant, tool@version, backend, outcome, latency and the receipt "
                    + "(CPU, wall, memory, egress hosts), DLP rule ids, then the tool's console output (after DLP) "
                    + "indented. --json prints each event's JSON instead.",
            "Exit status 1 when the gateway drops this stream for falling behind."
        })
final class TailCommand extends AdminCommand {

    @Option(names = "--tool", paramLabel = "T", description = "only calls of (and admin events about) this tool")
    @Nullable
    String tool;

    @Option(names = "--tenant", paramLabel = "T", description = "only calls of this tenant (no admin events)")
    @Nullable
    String tenant;

    @Option(
            names = "--outcome",
            paramLabel = "O",
            description = "only calls with this outcome, e.g. ok, " + "tool_error, cpu_exceeded (no admin events)")
    @Nullable
    String outcome;

    @Option(names = "--node", paramLabel = "N", description = "only events of this node (node.id)")
    @Nullable
    String node;

    @Option(
            names = "--fleet",
            description = "every live node of the fleet (nodes sharing the registry database):"
                    + " the gateway merges their tails; a node's stream lost, reconnected or gone is a 'node' line")
    boolean fleet;

    @Option(
            names = {"-n", "--limit"},
            paramLabel = "N",
            defaultValue = "0",
            description = "stop after N events (default 0: until interrupted)")
    long limit;

    @Override
    int run(AdminClient c) throws IOException, InterruptedException {
        if (limit < 0) {
            throw usage("--limit must be 0 or more, got " + limit);
        }
        StringBuilder q = new StringBuilder();
        add(q, "tool", tool);
        add(q, "tenant", tenant);
        add(q, "outcome", outcome);
        add(q, "node", node);
        if (fleet) {
            add(q, "fleet", "true");
        }
        HttpRequest req = HttpRequest.newBuilder(URI.create(c.url() + "/v1/tail" + q))
                .header("Authorization", "Bearer " + c.token())
                .header("Accept", "text/event-stream")
                .GET()
                .build();
        try (HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = r.body()) {
                if (r.statusCode() != 200) {
                    byte[] bytes = body.readNBytes(64 * 1024);
                    JsonNode n;
                    boolean isJson = true;
                    try {
                        n = AdminClient.JSON.readTree(bytes);
                    } catch (IOException e) {
                        n = AdminClient.JSON.createObjectNode().put("raw", new String(bytes, StandardCharsets.UTF_8));
                        isJson = false;
                    }
                    return c.refused(new AdminClient.Reply(r.statusCode(), n, isJson), err());
                }
                return stream(body);
            }
        }
    }

    /** Reads SSE frames (event name, data lines, blank line) and prints each event. */
    private int stream(InputStream body) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        String event = "message";
        StringBuilder data = new StringBuilder();
        long shown = 0;
        for (String line; (line = in.readLine()) != null; ) {
            if (line.isEmpty()) {
                if (!data.isEmpty()) {
                    if (event.equals("dropped")) {
                        JsonNode n = AdminClient.JSON.readTree(data.toString());
                        err().println("atoll: the gateway dropped this tail: "
                                + n.path("message").asText());
                        err().flush();
                        return Main.REFUSED;
                    }
                    print(event, AdminClient.JSON.readTree(data.toString()), json, out());
                    out().flush();
                    if (limit > 0 && ++shown >= limit) {
                        return Main.OK;
                    }
                }
                event = "message";
                data.setLength(0);
            } else if (line.startsWith("event:")) {
                event = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                data.append(data.isEmpty() ? "" : "\n").append(line.substring(5).stripLeading());
            }
        }
        return Main.OK;
    }

    private static void add(StringBuilder q, String key, @Nullable String value) {
        if (value != null) {
            q.append(q.isEmpty() ? '?' : '&').append(key).append('=').append(AdminClient.enc(value));
        }
    }

    /** One event: its JSON (escaped) or a line of text whose untrusted parts are escaped. */
    static void print(String event, JsonNode e, boolean asJson, PrintWriter out) throws JsonProcessingException {
        if (asJson) {
            out.println(AuditCommands.SAFE.writeValueAsString(e));
            return;
        }
        StringBuilder b = new StringBuilder();
        b.append(safe(e.path("at"))).append(' ').append(safe(e.path("node"))).append(' ');
        if (event.equals("call")) {
            JsonNode r = e.path("receipt");
            b.append(safe(e.path("tenant")))
                    .append(' ')
                    .append(safe(e.path("tool")))
                    .append('@')
                    .append(e.path("version").asInt())
                    .append(' ')
                    .append(safe(e.path("backend")))
                    .append(' ')
                    .append(safe(e.path("outcome")))
                    .append(' ')
                    .append(ms(e.path("latencyMs")))
                    .append(" cpu=")
                    .append(ms(r.path("cpuMs")))
                    .append(" wall=")
                    .append(ms(r.path("wallMs")))
                    .append(" mem=")
                    .append(bytes(r.path("allocatedBytes").asLong()));
            if (!r.path("egressHosts").isEmpty()) {
                b.append(" egress=").append(list(r.path("egressHosts")));
            }
            if (!e.path("dlpRules").isEmpty()) {
                b.append(" dlp=").append(list(e.path("dlpRules")));
            }
            out.println(b);
            for (JsonNode line : e.path("console")) {
                out.println("    | " + safe(line));
            }
            if (e.path("consoleTruncated").asBoolean()) {
                out.println("    | ... (console output cut: tail.console-chars)");
            }
        } else if (event.equals("node")) {
            b.append("node ").append(safe(e.path("state")));
            if (!e.path("detail").asText().isEmpty()) {
                b.append(": ").append(safe(e.path("detail")));
            }
            out.println(b);
        } else {
            b.append("admin ")
                    .append(safe(e.path("action")))
                    .append(' ')
                    .append(safe(e.path("target")))
                    .append(" by ")
                    .append(safe(e.path("actor")));
            if (!e.path("detail").asText().isEmpty()) {
                b.append(": ").append(safe(e.path("detail")));
            }
            out.println(b);
        }
    }

    private static String ms(JsonNode n) {
        return String.format(java.util.Locale.ROOT, "%.1fms", n.asDouble());
    }

    private static String bytes(long n) {
        return n >= 1 << 20 ? (n >> 20) + "MB" : n >= 1 << 10 ? (n >> 10) + "KB" : n + "B";
    }

    private static String list(JsonNode a) throws JsonProcessingException {
        StringBuilder b = new StringBuilder();
        for (JsonNode v : a) {
            b.append(b.isEmpty() ? "" : ",").append(safe(v));
        }
        return b.toString();
    }

    /** A text value with controls and non-ASCII escaped (no quotes). */
    private static String safe(JsonNode n) throws JsonProcessingException {
        String q = AuditCommands.SAFE.writeValueAsString(n.asText());
        return q.substring(1, q.length() - 1);
    }
}

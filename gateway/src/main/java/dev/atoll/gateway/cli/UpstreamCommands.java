package dev.atoll.gateway.cli;

import static dev.atoll.gateway.cli.AdminClient.enc;
import static dev.atoll.gateway.cli.AdminClient.envOr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.cli.AdminClient.Reply;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code atoll upstream ...}: registers, lists, approves, removes upstream MCP servers and shows
 * their logs through the admin API ({@code /v1/upstreams}). Exit codes as {@link AdminCommands}:
 * 0 done, 1 the gateway refused (message printed), 2 usage error or the gateway cannot be reached.
 */
final class UpstreamCommands {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final PrintStream err;
    private String url = envOr("ATOLL_ADMIN_URL", "http://127.0.0.1:8081");
    private String token = envOr("ATOLL_ADMIN_TOKEN", "");

    private UpstreamCommands(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        UpstreamCommands c = new UpstreamCommands(out, err);
        List<String> rest = new ArrayList<>(args);
        if (rest.isEmpty()) {
            throw new Main.UsageException("upstream needs a command: add, list, approve, remove, logs");
        }
        String sub = rest.removeFirst();
        return AdminCommands.calling(() -> c.url, err, () -> switch (sub) {
            case "add" -> c.add(rest);
            case "list" -> c.list(rest);
            case "approve" -> c.approve(rest);
            case "remove" -> c.remove(rest);
            case "logs" -> c.logs(rest);
            default -> throw new Main.UsageException("unknown upstream command '" + sub
                    + "' (add, list, approve, remove, logs)");
        });
    }

    /** Takes the connection flags out of {@code args}; returns the rest. */
    private List<String> common(List<String> args) {
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                rest.addAll(args.subList(i, args.size()));
                break;
            }
            switch (a) {
                case "--admin-url" -> url = value(args, ++i, a);
                case "--token" -> token = value(args, ++i, a);
                default -> rest.add(a);
            }
        }
        if (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        if (token.isEmpty()) {
            throw new Main.UsageException("no admin token: set ATOLL_ADMIN_TOKEN or pass --token (printed at the "
                    + "gateway's first start)");
        }
        return rest;
    }

    private int add(List<String> args) throws IOException, InterruptedException {
        List<String> a = common(args);
        ObjectNode body = JSON.createObjectNode();
        ArrayNode hosts = body.putArray("allowHosts");
        ObjectNode env = body.putObject("env");
        ArrayNode volumes = body.putArray("volumes");
        ArrayNode command = body.putArray("command");
        ObjectNode limits = JSON.createObjectNode();
        String name = null;
        boolean sandbox = false;
        for (int i = 0; i < a.size(); i++) {
            String s = a.get(i);
            switch (s) {
                case "--" -> {
                    a.subList(i + 1, a.size()).forEach(command::add);
                    i = a.size();
                }
                case "--image" -> body.put("image", value(a, ++i, s));
                case "--sandbox" -> sandbox = true;
                case "--allow-host" -> hosts.add(value(a, ++i, s));
                case "--env" -> {
                    String kv = value(a, ++i, s);
                    int eq = kv.indexOf('=');
                    if (eq < 1) {
                        throw new Main.UsageException("--env takes KEY=VALUE, got '" + kv + "'");
                    }
                    env.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                case "--volume" -> {
                    String v = value(a, ++i, s);
                    int colon = v.indexOf(':');
                    if (colon < 1 || !v.substring(colon + 1).startsWith("/")) {
                        throw new Main.UsageException("--volume takes NAME:/absolute/path, got '" + v + "'");
                    }
                    volumes.addObject().put("name", v.substring(0, colon)).put("path", v.substring(colon + 1));
                }
                case "--memory" -> limits.put("memoryBytes", number(value(a, ++i, s), s));
                case "--pids" -> limits.put("pids", number(value(a, ++i, s), s));
                default -> {
                    if (s.startsWith("--")) {
                        throw new Main.UsageException("unknown option " + s + " for upstream add");
                    }
                    if (name != null) {
                        throw new Main.UsageException("unexpected '" + s + "': put the server's command after --");
                    }
                    name = s;
                }
            }
        }
        if (name == null) {
            throw new Main.UsageException("upstream add needs a NAME: atoll upstream add NAME [options] -- CMD ARGS...");
        }
        if (command.isEmpty()) {
            throw new Main.UsageException("upstream add needs the server's command after --");
        }
        if (sandbox && body.has("image")) {
            throw new Main.UsageException("choose one of --image (Docker) and --sandbox (bubblewrap)");
        }
        body.put("name", name).put("kind", body.has("image") ? "docker" : "bubblewrap");
        if (!limits.isEmpty()) {
            body.set("limits", limits);
        }
        Reply r = send("POST", "/v1/upstreams", body);
        if (r.status() / 100 != 2) {
            return AdminClient.refused(r, err);
        }
        out.println("added upstream " + name + " (" + body.path("kind").asText() + "), quarantined: it starts so its "
                + "tools can be reviewed with 'atoll upstream list'; 'atoll upstream approve " + name
                + "' puts them in service");
        return 0;
    }

    private int list(List<String> args) throws IOException, InterruptedException {
        List<String> a = common(args);
        Reply r = send("GET", "/v1/upstreams", null);
        if (r.status() / 100 != 2) {
            return AdminClient.refused(r, err);
        }
        if (a.contains("--json")) {
            out.println(r.body().toPrettyString());
            return 0;
        }
        if (r.body().isEmpty()) {
            out.println("no upstreams (add one with 'atoll upstream add NAME -- CMD ARGS...')");
        }
        for (JsonNode u : r.body()) {
            JsonNode st = u.path("status");
            out.printf("%s  %s  %s  %s%s%s%n", u.path("name").asText(), u.path("kind").asText(),
                    u.path("approved").asBoolean() ? "approved" : "QUARANTINED", st.path("state").asText(),
                    st.path("restarts").asInt() > 0 ? "  restarts " + st.path("restarts").asInt() : "",
                    st.path("lastError").asText().isEmpty() ? "" : "  last error: " + st.path("lastError").asText());
            for (JsonNode t : u.path("tools")) {
                out.printf("    %-40s %-11s %s%s%n", t.path("servedAs").asText(), t.path("state").asText(),
                        t.path("serving").asBoolean() ? "serving" : t.path("present").asBoolean() ? "not serving"
                                : "gone", t.path("pinnedDigest").isMissingNode() ? ""
                                : "  pinned " + t.path("pinnedDigest").asText().substring(0, 16));
                if ("PULLED".equals(t.path("state").asText())) {
                    out.println("        definition changed after approval; now: "
                            + t.path("description").asText());
                }
                for (JsonNode s : t.path("poisoningSigns")) {
                    out.println("        ! " + s.path("kind").asText() + " at " + s.path("location").asText() + ": "
                            + s.path("evidence").asText());
                }
            }
        }
        return 0;
    }

    private int approve(List<String> args) throws IOException, InterruptedException {
        String name = single(common(args), "approve");
        Reply r = send("POST", "/v1/upstreams/" + enc(name) + "/approve", JSON.createObjectNode());
        if (r.status() / 100 != 2) {
            return AdminClient.refused(r, err);
        }
        long serving = 0;
        for (JsonNode t : r.body().path("tools")) {
            serving += t.path("serving").asBoolean() ? 1 : 0;
        }
        out.println("approved " + name + ": " + serving + " tool(s) pinned and serving");
        return 0;
    }

    private int remove(List<String> args) throws IOException, InterruptedException {
        String name = single(common(args), "remove");
        Reply r = send("DELETE", "/v1/upstreams/" + enc(name), null);
        if (r.status() / 100 != 2) {
            return AdminClient.refused(r, err);
        }
        out.println("removed upstream " + name + " (its server is stopped; its state directory is kept)");
        return 0;
    }

    private int logs(List<String> args) throws IOException, InterruptedException {
        List<String> a = common(args);
        String lines = "200";
        int at = a.indexOf("--lines");
        if (at >= 0) {
            lines = String.valueOf(number(value(a, at + 1, "--lines"), "--lines"));
            a.remove(at + 1);
            a.remove(at);
        }
        String name = single(a, "logs");
        Reply r = send("GET", "/v1/upstreams/" + enc(name) + "/logs?lines=" + lines, null);
        if (r.status() / 100 != 2) {
            return AdminClient.refused(r, err);
        }
        r.body().path("lines").forEach(l -> out.println(l.asText()));
        return 0;
    }

    private static String single(List<String> a, String cmd) {
        if (a.size() != 1 || a.getFirst().startsWith("--")) {
            throw new Main.UsageException("upstream " + cmd + " takes one NAME");
        }
        return a.getFirst();
    }

    private static long number(String v, String flag) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new Main.UsageException(flag + " must be a number, got '" + v + "'");
        }
    }

    private static String value(List<String> a, int i, String flag) {
        if (i >= a.size() || a.get(i).equals("--")) {
            throw new Main.UsageException(flag + " needs a value");
        }
        return a.get(i);
    }

    private Reply send(String method, String path, JsonNode body) throws IOException, InterruptedException {
        return AdminClient.send(url, token, method, path,
                body == null ? null : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)),
                "application/json");
    }
}

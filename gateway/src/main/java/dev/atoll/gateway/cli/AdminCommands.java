package dev.atoll.gateway.cli;

import static dev.atoll.gateway.cli.AdminClient.enc;
import static dev.atoll.gateway.cli.AdminClient.envOr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.cli.AdminClient.Reply;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The operator commands that talk to a running gateway's admin API: {@code deploy}, {@code tools},
 * {@code audit}, {@code tokens}. The URL and token come from {@code --admin-url}/{@code --token} or
 * {@code ATOLL_ADMIN_URL}/{@code ATOLL_ADMIN_TOKEN}. Exit codes: 0 done, 1 the gateway refused
 * (message printed), 2 usage error or the gateway cannot be reached.
 */
final class AdminCommands {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final PrintStream err;
    private String url;
    private String token;
    private final Map<String, String> flags = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    private AdminCommands(List<String> args, PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
        this.url = envOr("ATOLL_ADMIN_URL", "http://127.0.0.1:8081");
        this.token = envOr("ATOLL_ADMIN_TOKEN", "");
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty()) {
            String a = rest.removeFirst();
            if (a.startsWith("--")) {
                String key = a.substring(2);
                String value = key.equals("json") || key.equals("pretty") ? "true" : take(rest, a);
                switch (key) {
                    case "admin-url" -> url = value;
                    case "token" -> token = value;
                    default -> flags.put(key, value);
                }
            } else {
                positional.add(a);
            }
        }
        if (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
    }

    static int run(String command, List<String> args, PrintStream out, PrintStream err) {
        AdminCommands c = new AdminCommands(args, out, err);
        if (c.token.isEmpty()) {
            throw new Main.UsageException("no admin token: set ATOLL_ADMIN_TOKEN or pass --token (printed at the "
                    + "gateway's first start)");
        }
        return calling(() -> c.url, err, () -> switch (command) {
            case "deploy" -> c.deploy();
            case "tools" -> c.tools();
            case "audit" -> c.audit();
            case "tokens" -> c.tokens();
            default -> throw new Main.UsageException("unknown command '" + command + "'");
        });
    }

    /** A command that talks to the admin API. */
    @FunctionalInterface
    interface AdminCall {
        /**
         * @return the exit status
         * @throws IOException when the admin API cannot be reached or answers badly
         * @throws InterruptedException when interrupted
         */
        int run() throws IOException, InterruptedException;
    }

    /**
     * Runs a command against the admin API, turning connection failures into a one-line message and
     * exit status 2 instead of a stack trace.
     *
     * @param url the admin API's base URL, for the message (read after the command ran: commands may
     *     take it from their own flags)
     * @param err where the message goes
     * @param call the command
     * @return its exit status, or 2
     */
    static int calling(Supplier<String> url, PrintStream err, AdminCall call) {
        try {
            return call.run();
        } catch (ConnectException e) {
            err.println("atoll: cannot reach the admin API at " + url.get() + " (is './atoll serve' running? set "
                    + "ATOLL_ADMIN_URL or --admin-url)");
            return 2;
        } catch (IOException e) {
            err.println("atoll: admin API at " + url.get() + ": " + e.getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 2;
        }
    }

    private int deploy() throws IOException, InterruptedException {
        if (positional.size() != 1) {
            throw new Main.UsageException("deploy takes one tool file: atoll deploy FILE");
        }
        Path file = Path.of(positional.getFirst());
        byte[] code;
        try {
            code = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new Main.UsageException("no such file: " + file);
        }
        String name = file.getFileName().toString();
        Reply r = send("POST", "/v1/tools?file=" + enc(name), HttpRequest.BodyPublishers.ofByteArray(code),
                "application/javascript");
        if (r.status() / 100 != 2) {
            return AdminClient.refused(r, err);
        }
        JsonNode v = r.body();
        out.printf("%s v%d %s  digest %s%s%n", v.path("name").asText(), v.path("version").asInt(),
                v.path("state").asText(), v.path("digest").asText().substring(0, 16),
                v.path("created").asBoolean() ? "" : "  (identical to an existing version)");
        printChanges(v.path("changes"));
        if ("QUARANTINED".equals(v.path("state").asText())) {
            out.println("It is quarantined: agents cannot see it until 'atoll tools approve "
                    + v.path("name").asText() + " --version " + v.path("version").asInt() + "'.");
        }
        return 0;
    }

    private int tools() throws IOException, InterruptedException {
        String sub = positional.isEmpty() ? "list" : positional.getFirst();
        String name = positional.size() > 1 ? positional.get(1) : null;
        if (!sub.equals("list") && name == null) {
            throw new Main.UsageException("tools " + sub + " needs a tool name");
        }
        Reply r = switch (sub) {
            case "list" -> send("GET", "/v1/tools", null, null);
            case "show" -> send("GET", "/v1/tools/" + enc(name), null, null);
            case "changes" -> send("GET", "/v1/tools/" + enc(name) + "/versions/" + required("version") + "/changes",
                    null, null);
            case "approve" -> post("/v1/tools/" + enc(name) + "/approve",
                    flags.containsKey("version") ? Map.of("version", intFlag("version")) : Map.of());
            case "reject" -> post("/v1/tools/" + enc(name) + "/reject", Map.of("version", intFlag("version")));
            case "rollback" -> post("/v1/tools/" + enc(name) + "/rollback", Map.of("to", intFlag("to")));
            case "disable", "enable" -> post("/v1/tools/" + enc(name) + "/" + sub, Map.of());
            case "delete" -> send("DELETE", "/v1/tools/" + enc(name), null, null);
            default -> throw new Main.UsageException("unknown tools command '" + sub + "' (list, show, changes, "
                    + "approve, reject, rollback, disable, enable, delete)");
        };
        if (r.status() / 100 != 2) {
            return AdminClient.refused(r, err);
        }
        if (sub.equals("list") && !flags.containsKey("json")) {
            out.printf("%-28s %-8s %-8s %s%n", "TOOL", "SERVING", "ENABLED", "VERSIONS");
            for (JsonNode t : r.body()) {
                StringBuilder vs = new StringBuilder();
                for (JsonNode v : t.path("versions")) {
                    vs.append(vs.isEmpty() ? "" : " ").append('v').append(v.path("version").asInt()).append(':')
                            .append(v.path("state").asText().toLowerCase(java.util.Locale.ROOT));
                }
                out.printf("%-28s %-8s %-8s %s%n", t.path("name").asText(),
                        t.path("servingVersion").isNull() ? "-" : "v" + t.path("servingVersion").asInt(),
                        t.path("enabled").asBoolean() ? "yes" : "no", vs);
            }
        } else if (sub.equals("changes")) {
            printChanges(r.body());
        } else {
            out.println(r.body().toPrettyString());
        }
        return 0;
    }

    private int audit() throws IOException, InterruptedException {
        String sub = positional.isEmpty() ? "tail" : positional.getFirst();
        return switch (sub) {
            case "verify" -> {
                Reply r = send("GET", "/v1/audit/verify", null, null);
                if (r.status() / 100 != 2) {
                    yield AdminClient.refused(r, err);
                }
                JsonNode b = r.body();
                if (b.path("intact").asBoolean()) {
                    out.println("audit log intact: " + b.path("checked").asLong() + " records, head #"
                            + b.path("headSeq").asLong() + " " + b.path("headHash").asText());
                    yield 0;
                }
                out.println("audit log BROKEN at record #" + b.path("brokenAt").asLong() + " ("
                        + b.path("problem").asText() + "): " + b.path("message").asText());
                yield 1;
            }
            case "head" -> print(send("GET", "/v1/audit/head", null, null));
            case "tail", "export" -> {
                StringBuilder q = new StringBuilder("?limit=").append(flags.getOrDefault("limit",
                        sub.equals("tail") ? "20" : "10000"));
                for (String k : List.of("tool", "tenant", "action", "from", "to", "after")) {
                    if (flags.containsKey(k)) {
                        q.append('&').append(k).append('=').append(enc(flags.get(k)));
                    }
                }
                Reply r = send("GET", "/v1/audit" + q, null, null);
                if (r.status() / 100 != 2) {
                    yield AdminClient.refused(r, err);
                }
                for (JsonNode rec : r.body()) {
                    out.println(JSON.writeValueAsString(rec)); // JSON lines: escaped, one record per line
                }
                yield 0;
            }
            default -> throw new Main.UsageException("unknown audit command '" + sub + "' (verify, tail, export, head)");
        };
    }

    private int tokens() throws IOException, InterruptedException {
        String sub = positional.isEmpty() ? "list" : positional.getFirst();
        return switch (sub) {
            case "list" -> print(send("GET", "/v1/tokens", null, null));
            case "create" -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("kind", flags.getOrDefault("kind", "MCP"));
                body.put("tenant", flags.getOrDefault("tenant", "default"));
                body.put("scopes", List.of(flags.getOrDefault("tools", "*").split(",")));
                body.put("label", flags.getOrDefault("label", "cli"));
                yield print(post("/v1/tokens", body));
            }
            case "revoke" -> {
                if (positional.size() != 2) {
                    throw new Main.UsageException("tokens revoke ID");
                }
                yield print(send("DELETE", "/v1/tokens/" + enc(positional.get(1)), null, null));
            }
            default -> throw new Main.UsageException("unknown tokens command '" + sub + "' (list, create, revoke)");
        };
    }

    private void printChanges(JsonNode c) {
        if (c.isMissingNode()) {
            return;
        }
        if (c.path("comparedTo").isNull()) {
            out.println("No approved version to compare with: everything is new.");
        } else {
            out.println("Changes since approved v" + c.path("comparedTo").asInt() + ":");
            if (c.path("changes").isEmpty()) {
                out.println("  (none)");
            }
            for (JsonNode ch : c.path("changes")) {
                out.println("  " + ch.path("field").asText() + (ch.path("key").asText().isEmpty() ? ""
                        : " " + ch.path("key").asText()) + ": " + ch.path("before") + " -> " + ch.path("after"));
            }
        }
        for (JsonNode s : c.path("poisoningSigns")) {
            out.println("  WARNING " + s.path("kind").asText() + " in " + s.path("location").asText() + ": "
                    + s.path("evidence").asText());
        }
    }

    private int print(Reply r) {
        if (r.status() / 100 != 2) {
            return AdminClient.refused(r, err);
        }
        out.println(r.body().toPrettyString());
        return 0;
    }

    private Reply send(String method, String path, HttpRequest.BodyPublisher body, String type)
            throws IOException, InterruptedException {
        return AdminClient.send(url, token, method, path, body, type);
    }

    private Reply post(String path, Map<String, ?> body) throws IOException, InterruptedException {
        return send("POST", path, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)),
                "application/json");
    }

    private String required(String flag) {
        String v = flags.get(flag);
        if (v == null) {
            throw new Main.UsageException("--" + flag + " is required");
        }
        return v;
    }

    private int intFlag(String flag) {
        try {
            return Integer.parseInt(required(flag));
        } catch (NumberFormatException e) {
            throw new Main.UsageException("--" + flag + " must be a number");
        }
    }

    private static String take(List<String> rest, String option) {
        if (rest.isEmpty()) {
            throw new Main.UsageException(option + " needs a value");
        }
        return rest.removeFirst();
    }

}

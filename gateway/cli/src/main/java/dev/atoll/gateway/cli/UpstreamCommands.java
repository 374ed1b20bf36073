package dev.atoll.gateway.cli;

import static dev.atoll.gateway.cli.AdminClient.enc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.cli.AdminClient.Reply;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code atoll upstream ...}: registers, lists, shows, approves, removes upstream MCP servers and
 * shows their logs through the admin API ({@code /v1/upstreams}).
 */
@Command(
        name = "upstream",
        synopsisSubcommandLabel = "COMMAND",
        description = {
            "Stateful stdio MCP servers in a sandbox (bubblewrap, or Docker with --image). New ones are "
                    + "quarantined until approved; their tools are served as NAME__tool."
        },
        subcommands = {
            UpstreamCommands.Add.class,
            UpstreamCommands.ListUpstreams.class,
            UpstreamCommands.Show.class,
            UpstreamCommands.Approve.class,
            UpstreamCommands.Remove.class,
            UpstreamCommands.Logs.class
        })
final class UpstreamCommands extends CommandGroup {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code atoll upstream add NAME [options] -- CMD ARGS...}. */
    @Command(
            name = "add",
            description = {
                "Register an upstream server, quarantined: it starts so that its tools "
                        + "can be reviewed ('atoll upstream show NAME'); 'atoll upstream approve NAME' serves them.",
                "The server's command follows --."
            })
    static final class Add extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "the upstream's name")
        @SuppressWarnings("NullAway.Init") // required: picocli sets it, or parsing fails before run()
        String name;

        @Parameters(index = "1..*", paramLabel = "CMD", description = "after --: the server's command and arguments")
        List<String> command = new ArrayList<>();

        @Option(names = "--image", paramLabel = "IMG", description = "run it in this Docker image")
        @Nullable
        String image;

        @Option(names = "--sandbox", description = "run it under bubblewrap (the default without --image)")
        boolean sandbox;

        @Option(names = "--allow-host", paramLabel = "H", description = "a host it may reach (repeatable)")
        List<String> hosts = new ArrayList<>();

        @Option(names = "--env", paramLabel = "K=V", description = "an environment variable (repeatable)")
        List<String> env = new ArrayList<>();

        @Option(names = "--volume", paramLabel = "NAME:/path", description = "a persistent volume (repeatable)")
        List<String> volumes = new ArrayList<>();

        @Option(names = "--memory", paramLabel = "BYTES", description = "its memory limit")
        @Nullable
        Long memory;

        @Option(names = "--pids", paramLabel = "N", description = "its process limit")
        @Nullable
        Long pids;

        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            if (command.isEmpty()) {
                throw usage("upstream add needs the server's command after --: atoll upstream add NAME [options] "
                        + "-- CMD ARGS...");
            }
            if (sandbox && image != null) {
                throw usage("choose one of --image (Docker) and --sandbox (bubblewrap)");
            }
            ObjectNode body = JSON.createObjectNode();
            body.put("name", name).put("kind", image != null ? "docker" : "bubblewrap");
            if (image != null) {
                body.put("image", image);
            }
            ArrayNode h = body.putArray("allowHosts");
            hosts.forEach(h::add);
            ObjectNode e = body.putObject("env");
            for (String kv : env) {
                int eq = kv.indexOf('=');
                if (eq < 1) {
                    throw usage("--env takes KEY=VALUE, got '" + kv + "'");
                }
                e.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            ArrayNode vs = body.putArray("volumes");
            for (String v : volumes) {
                int colon = v.indexOf(':');
                if (colon < 1 || !v.substring(colon + 1).startsWith("/")) {
                    throw usage("--volume takes NAME:/absolute/path, got '" + v + "'");
                }
                vs.addObject().put("name", v.substring(0, colon)).put("path", v.substring(colon + 1));
            }
            ArrayNode cmd = body.putArray("command");
            command.forEach(cmd::add);
            if (memory != null || pids != null) {
                ObjectNode limits = body.putObject("limits");
                if (memory != null) {
                    limits.put("memoryBytes", memory);
                }
                if (pids != null) {
                    limits.put("pids", pids);
                }
            }
            Reply r = c.post("/v1/upstreams", body);
            if (json || !r.ok()) {
                return printJson(c, r);
            }
            out().println("added upstream " + name + " (" + body.path("kind").asText() + "), quarantined: it starts "
                    + "so its tools can be reviewed with 'atoll upstream show " + name + "'; 'atoll upstream approve "
                    + name + "' puts them in service");
            return Main.OK;
        }
    }

    /** {@code atoll upstream list}. */
    @Command(name = "list", description = "List the upstreams with their state and tools.")
    static final class ListUpstreams extends AdminCommand {
        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            Reply r = c.get("/v1/upstreams");
            if (json || !r.ok()) {
                return printJson(c, r);
            }
            PrintWriter out = out();
            if (r.body().isEmpty()) {
                out.println("no upstreams (add one with 'atoll upstream add NAME -- CMD ARGS...')");
            }
            for (JsonNode u : r.body()) {
                JsonNode st = u.path("status");
                out.printf(
                        "%s  %s  %s  %s%s%s%n",
                        u.path("name").asText(),
                        u.path("kind").asText(),
                        u.path("approved").asBoolean() ? "approved" : "QUARANTINED",
                        st.path("state").asText(),
                        st.path("restarts").asInt() > 0
                                ? "  restarts " + st.path("restarts").asInt()
                                : "",
                        st.path("lastError").asText().isEmpty()
                                ? ""
                                : "  last error: " + st.path("lastError").asText());
                for (JsonNode t : u.path("tools")) {
                    out.printf(
                            "    %-40s %-11s %s%s%n",
                            t.path("servedAs").asText(),
                            t.path("state").asText(),
                            t.path("serving").asBoolean()
                                    ? "serving"
                                    : t.path("present").asBoolean() ? "not serving" : "gone",
                            t.path("pinnedDigest").isMissingNode()
                                    ? ""
                                    : "  pinned "
                                            + t.path("pinnedDigest").asText().substring(0, 16));
                    if ("PULLED".equals(t.path("state").asText())) {
                        out.println("        definition changed after approval; now: "
                                + t.path("description").asText());
                    }
                    for (JsonNode s : t.path("poisoningSigns")) {
                        out.println("        ! " + s.path("kind").asText() + " at "
                                + s.path("location").asText() + ": "
                                + s.path("evidence").asText());
                    }
                }
            }
            return Main.OK;
        }
    }

    /** {@code atoll upstream show NAME}. */
    @Command(
            name = "show",
            description = "Show one upstream: its state, backend, command or image, and each tool "
                    + "with its description, pin, whether it serves, and its input schema.")
    static final class Show extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "the upstream")
        @SuppressWarnings("NullAway.Init") // required: picocli sets it, or parsing fails before run()
        String name;

        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            Reply r = c.get("/v1/upstreams/" + enc(name));
            if (json || !r.ok()) {
                return printJson(c, r);
            }
            JsonNode u = r.body();
            PrintWriter out = out();
            out.println(u.path("name").asText() + "  "
                    + text(u, "state", u.path("status").path("state").asText())
                    + "  "
                    + (u.has("serving")
                            ? u.path("serving").asBoolean() ? "serving" : "not serving"
                            : u.path("approved").asBoolean() ? "approved" : "QUARANTINED"));
            out.println("  backend   : " + text(u, "backend", u.path("kind").asText()));
            if (u.hasNonNull("image")) {
                out.println("  image     : " + u.path("image").asText());
            }
            if (u.path("command").isArray()) {
                StringBuilder b = new StringBuilder();
                u.path("command").forEach(a -> b.append(b.isEmpty() ? "" : " ").append(a.asText()));
                out.println("  command   : " + b);
            }
            String lastError =
                    text(u, "lastError", u.path("status").path("lastError").asText());
            if (!lastError.isEmpty()) {
                out.println("  last error: " + lastError);
            }
            if (u.path("tools").isEmpty()) {
                out.println("  (no tools listed yet)");
            }
            for (JsonNode t : u.path("tools")) {
                out.println();
                out.println("  " + text(t, "name", t.path("servedAs").asText()) + "  "
                        + (t.path("serving").asBoolean() ? "serving" : "not serving")
                        + (text(t, "pin", t.path("pinnedDigest").asText()).isEmpty()
                                ? "  (not pinned)"
                                : "  pin "
                                        + text(t, "pin", t.path("pinnedDigest").asText())));
                out.println("    description : " + t.path("description").asText());
                out.println("    input schema: "
                        + (t.has("inputSchema") ? t.path("inputSchema").toString() : "(not in the reply)"));
            }
            return Main.OK;
        }

        private static String text(JsonNode n, String field, String fallback) {
            JsonNode v = n.path(field);
            return v.isMissingNode() || v.isNull() ? fallback : v.asText();
        }
    }

    /** {@code atoll upstream approve NAME}. */
    @Command(name = "approve", description = "Pin every current tool of the upstream and serve them.")
    static final class Approve extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "the upstream")
        @SuppressWarnings("NullAway.Init") // required: picocli sets it, or parsing fails before run()
        String name;

        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            Reply r = c.post("/v1/upstreams/" + enc(name) + "/approve", JSON.createObjectNode());
            if (json || !r.ok()) {
                return printJson(c, r);
            }
            long serving = 0;
            for (JsonNode t : r.body().path("tools")) {
                serving += t.path("serving").asBoolean() ? 1 : 0;
            }
            out().println("approved " + name + ": " + serving + " tool(s) pinned and serving");
            return Main.OK;
        }
    }

    /** {@code atoll upstream remove NAME}. */
    @Command(name = "remove", description = "Stop and remove the upstream (its state directory is kept).")
    static final class Remove extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "the upstream")
        @SuppressWarnings("NullAway.Init") // required: picocli sets it, or parsing fails before run()
        String name;

        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            Reply r = c.delete("/v1/upstreams/" + enc(name));
            if (json || !r.ok()) {
                return printJson(c, r);
            }
            out().println("removed upstream " + name + " (its server is stopped; its state directory is kept)");
            return Main.OK;
        }
    }

    /** {@code atoll upstream logs NAME}. */
    @Command(name = "logs", description = "Print the upstream's stderr and lifecycle lines.")
    static final class Logs extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "the upstream")
        @SuppressWarnings("NullAway.Init") // required: picocli sets it, or parsing fails before run()
        String name;

        @Option(names = "--lines", paramLabel = "N", defaultValue = "200", description = "how many (default 200)")
        int lines;

        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            Reply r = c.get("/v1/upstreams/" + enc(name) + "/logs?lines=" + lines);
            if (json || !r.ok()) {
                return printJson(c, r);
            }
            r.body().path("lines").forEach(l -> out().println(l.asText()));
            return Main.OK;
        }
    }
}

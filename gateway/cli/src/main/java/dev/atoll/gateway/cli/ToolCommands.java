package dev.atoll.gateway.cli;

import static dev.atoll.gateway.cli.AdminClient.enc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.cli.AdminClient.Reply;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code atoll tools ...} and {@code atoll deploy}: tool versions and their review. */
@Command(
        name = "tools",
        synopsisSubcommandLabel = "COMMAND",
        description = "Manage tool versions: list them, review one (show, changes), approve, reject, roll back, "
                + "disable, enable, delete, place in regions.",
        subcommands = {
            ToolCommands.ListTools.class,
            ToolCommands.Show.class,
            ToolCommands.Changes.class,
            ToolCommands.Approve.class,
            ToolCommands.Reject.class,
            ToolCommands.Rollback.class,
            ToolCommands.Disable.class,
            ToolCommands.Enable.class,
            ToolCommands.Delete.class,
            ToolCommands.Place.class
        })
final class ToolCommands extends CommandGroup {

    /** {@code atoll deploy FILE}. */
    @Command(
            name = "deploy",
            description = {
                "Upload a tool file (.mjs/.js or .py) to the running gateway as a new "
                        + "version, quarantined until approved.",
                "Prints what a reviewer needs: the manifest (description, schemas, egress hosts, secrets), the effective "
                        + "limits, the changes since the approved version and any poisoning signs."
            })
    static final class Deploy extends AdminCommand {
        @Parameters(index = "0", paramLabel = "FILE", description = "the tool file")
        @SuppressWarnings("NullAway.Init") // required: picocli sets it, or parsing fails before run()
        Path file;

        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            byte[] code;
            try {
                code = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw usage("no such file: " + file);
            }
            Reply r = c.send(
                    "POST",
                    "/v1/tools?file=" + enc(file.getFileName().toString()),
                    HttpRequest.BodyPublishers.ofByteArray(code),
                    "application/javascript");
            if (json) {
                return printJson(c, r);
            }
            if (!r.ok()) {
                return c.refused(r, err());
            }
            JsonNode v = r.body();
            PrintWriter out = out();
            out.printf(
                    "%s v%d %s  digest %s%s%n",
                    v.path("name").asText(),
                    v.path("version").asInt(),
                    v.path("state").asText(),
                    v.path("digest").asText().substring(0, 16),
                    v.path("created").asBoolean() ? "" : "  (identical to an existing version)");
            printManifest(v, out);
            printChanges(v.path("changes"), out);
            if ("QUARANTINED".equals(v.path("state").asText())) {
                out.println("It is quarantined: agents cannot see it until 'atoll tools approve "
                        + v.path("name").asText() + " --version "
                        + v.path("version").asInt() + "'"
                        + (v.path("changes").path("poisoningSigns").isEmpty() ? "." : " --yes' (it has warnings)."));
            }
            return Main.OK;
        }
    }

    /** {@code atoll tools place NAME --regions eu,us | --everywhere}. */
    @Command(
            name = "place",
            description = {
                "Place a tool in a set of regions (data residency): only nodes of those "
                        + "regions (serve --region) list and run it; others answer as for an unknown tool.",
                "--everywhere lifts the placement (the default for every tool). Every node follows at once."
            })
    static final class Place extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "the tool")
        @SuppressWarnings("NullAway.Init") // required: picocli sets it, or parsing fails before run()
        String name;

        @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
        @SuppressWarnings("NullAway.Init") // a group of multiplicity 1: picocli sets it, or parsing fails
        Where where;

        static final class Where {
            @Option(names = "--regions", paramLabel = "REGION", split = ",", description = "the regions it serves in")
            java.util.@Nullable List<String> regions;

            @Option(names = "--everywhere", description = "serve it in every region")
            boolean everywhere;
        }

        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            java.util.List<String> regions = where.everywhere ? java.util.List.of() : where.regions;
            Reply r = c.post("/v1/tools/" + enc(name) + "/placement", Map.of("regions", regions));
            if (json || !r.ok()) {
                return printJson(c, r);
            }
            JsonNode t = r.body();
            java.util.List<String> placed = new java.util.ArrayList<>();
            t.path("regions").forEach(x -> placed.add(x.asText()));
            out().printf(
                            "%s serves %s%n",
                            t.path("name").asText(),
                            placed.isEmpty() ? "in every region" : "only in region(s) " + String.join(", ", placed));
            return Main.OK;
        }
    }

    /** {@code atoll tools list}. */
    @Command(name = "list", description = "List the tools with their serving version and every version's state.")
    static final class ListTools extends AdminCommand {
        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            Reply r = c.get("/v1/tools");
            if (json || !r.ok()) {
                return printJson(c, r);
            }
            out().printf("%-28s %-8s %-8s %-12s %s%n", "TOOL", "SERVING", "ENABLED", "REGIONS", "VERSIONS");
            for (JsonNode t : r.body()) {
                StringBuilder vs = new StringBuilder();
                for (JsonNode v : t.path("versions")) {
                    vs.append(vs.isEmpty() ? "" : " ")
                            .append('v')
                            .append(v.path("version").asInt())
                            .append(':')
                            .append(v.path("state").asText().toLowerCase(Locale.ROOT));
                }
                StringBuilder rs = new StringBuilder();
                t.path("regions")
                        .forEach(x -> rs.append(rs.isEmpty() ? "" : ",").append(x.asText()));
                out().printf(
                                "%-28s %-8s %-8s %-12s %s%n",
                                t.path("name").asText(),
                                t.path("servingVersion").isNull()
                                        ? "-"
                                        : "v" + t.path("servingVersion").asInt(),
                                t.path("enabled").asBoolean() ? "yes" : "no",
                                rs.isEmpty() ? "all" : rs,
                                vs);
            }
            return Main.OK;
        }
    }

    /** {@code atoll tools show NAME}. */
    @Command(
            name = "show",
            description =
                    "Show a tool and each of its versions with its whole manifest: "
                            + "description, input and output schemas, egress hosts, secrets, and requested and effective limits.")
    static final class Show extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "the tool")
        @SuppressWarnings("NullAway.Init") // required: picocli sets it, or parsing fails before run()
        String name;

        @Option(names = "--version", paramLabel = "V", description = "show only this version")
        @Nullable
        Integer version;

        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            Reply r = c.get("/v1/tools/" + enc(name));
            if (json || !r.ok()) {
                return printJson(c, r);
            }
            JsonNode t = r.body();
            PrintWriter out = out();
            out.printf(
                    "%s  source %s  %s  serving %s%n",
                    t.path("name").asText(),
                    t.path("source").asText(),
                    t.path("enabled").asBoolean() ? "enabled" : "DISABLED",
                    t.path("servingVersion").isNull()
                            ? "none"
                            : "v" + t.path("servingVersion").asInt());
            boolean found = false;
            for (JsonNode v : t.path("versions")) {
                if (version != null && v.path("version").asInt() != version) {
                    continue;
                }
                found = true;
                out.println();
                out.printf(
                        "v%d %s  digest %s  file %s%n",
                        v.path("version").asInt(),
                        v.path("state").asText(),
                        v.path("digest").asText(),
                        v.path("fileName").asText());
                out.printf(
                        "  deployed %s by %s%s%n",
                        v.path("createdAt").asText(),
                        v.path("createdBy").asText(),
                        v.has("decidedAt")
                                ? "; decided " + v.path("decidedAt").asText() + " by "
                                        + v.path("decidedBy").asText()
                                : "");
                printManifest(v, out);
            }
            if (version != null && !found) {
                err().println("atoll: " + name + " has no version " + version);
                return Main.REFUSED;
            }
            return Main.OK;
        }
    }

    /** {@code atoll tools changes NAME --version V}. */
    @Command(
            name = "changes",
            description = {
                "Review a version: what it changes since the approved version (every "
                        + "field, as added, when none was approved) and its poisoning signs."
            })
    static final class Changes extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "the tool")
        @SuppressWarnings("NullAway.Init") // required: picocli sets it, or parsing fails before run()
        String name;

        @Option(names = "--version", paramLabel = "V", required = true, description = "the version to review")
        int version;

        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            Reply r = c.get("/v1/tools/" + enc(name) + "/versions/" + version + "/changes");
            if (json || !r.ok()) {
                return printJson(c, r);
            }
            printChanges(r.body(), out());
            return Main.OK;
        }
    }

    /** {@code atoll tools approve NAME}. */
    @Command(
            name = "approve",
            description = {
                "Approve a version (default: the latest quarantined one): pin its " + "digest and serve it.",
                "A version with poisoning signs is refused unless --yes accepts them (the gateway names them and records "
                        + "the acceptance in the audit log)."
            })
    static final class Approve extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "the tool")
        @SuppressWarnings("NullAway.Init") // required: picocli sets it, or parsing fails before run()
        String name;

        @Option(names = "--version", paramLabel = "V", description = "the version (default: latest quarantined)")
        @Nullable
        Integer version;

        @Option(names = "--yes", description = "accept the version's poisoning signs")
        boolean yes;

        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            Map<String, Object> body = new LinkedHashMap<>();
            if (version != null) {
                body.put("version", version);
            }
            if (yes) {
                body.put("acceptWarnings", true);
            }
            Reply r = c.post("/v1/tools/" + enc(name) + "/approve", body);
            if (json || !r.ok()) {
                return printJson(c, r);
            }
            JsonNode v = r.body();
            out().printf(
                            "approved %s v%d (digest %s): it serves now%n",
                            v.path("name").asText(),
                            v.path("version").asInt(),
                            v.path("digest").asText().substring(0, 16));
            for (JsonNode s : v.path("acceptedWarnings")) {
                out().println("  accepted WARNING " + s.path("kind").asText() + " in "
                        + s.path("location").asText() + ": "
                        + s.path("evidence").asText());
            }
            return Main.OK;
        }
    }

    /** {@code atoll tools reject NAME --version V}. */
    @Command(name = "reject", description = "Reject a quarantined version.")
    static final class Reject extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "the tool")
        @SuppressWarnings("NullAway.Init") // required: picocli sets it, or parsing fails before run()
        String name;

        @Option(names = "--version", paramLabel = "V", required = true, description = "the version")
        int version;

        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            Reply r = c.post("/v1/tools/" + enc(name) + "/reject", Map.of("version", version));
            if (json || !r.ok()) {
                return printJson(c, r);
            }
            out().printf("rejected %s v%d%n", name, version);
            return Main.OK;
        }
    }

    /** {@code atoll tools rollback NAME --to V}. */
    @Command(name = "rollback", description = "Serve an earlier approved version instead of the current one.")
    static final class Rollback extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "the tool")
        @SuppressWarnings("NullAway.Init") // required: picocli sets it, or parsing fails before run()
        String name;

        @Option(names = "--to", paramLabel = "V", required = true, description = "the approved version to serve")
        int to;

        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            Reply r = c.post("/v1/tools/" + enc(name) + "/rollback", Map.of("to", to));
            if (json || !r.ok()) {
                return printJson(c, r);
            }
            out().printf(
                            "%s serves v%d%n",
                            name, r.body().path("servingVersion").asInt());
            return Main.OK;
        }
    }

    /** {@code atoll tools disable NAME}. */
    @Command(name = "disable", description = "Take a tool out of service (its versions stay).")
    static final class Disable extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "the tool")
        @SuppressWarnings("NullAway.Init") // required: picocli sets it, or parsing fails before run()
        String name;

        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            Reply r = c.post("/v1/tools/" + enc(name) + "/disable", Map.of());
            if (json || !r.ok()) {
                return printJson(c, r);
            }
            out().println("disabled " + name);
            return Main.OK;
        }
    }

    /** {@code atoll tools enable NAME}. */
    @Command(name = "enable", description = "Put a disabled tool back in service.")
    static final class Enable extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "the tool")
        @SuppressWarnings("NullAway.Init") // required: picocli sets it, or parsing fails before run()
        String name;

        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            Reply r = c.post("/v1/tools/" + enc(name) + "/enable", Map.of());
            if (json || !r.ok()) {
                return printJson(c, r);
            }
            out().println("enabled " + name);
            return Main.OK;
        }
    }

    /** {@code atoll tools delete NAME}. */
    @Command(name = "delete", description = "Delete a tool and all its versions (its audit records stay).")
    static final class Delete extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "the tool")
        @SuppressWarnings("NullAway.Init") // required: picocli sets it, or parsing fails before run()
        String name;

        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            Reply r = c.delete("/v1/tools/" + enc(name));
            if (json || !r.ok()) {
                return printJson(c, r);
            }
            out().println("deleted " + name);
            return Main.OK;
        }
    }

    /** Prints a version's manifest and limits for review. */
    static void printManifest(JsonNode v, PrintWriter out) {
        JsonNode m = v.path("manifest");
        if (m.isMissingNode()) {
            return;
        }
        if (m.has("title")) {
            out.println("  title        : " + m.path("title").asText());
        }
        out.println("  description  : " + m.path("description").asText());
        out.println("  input schema : " + m.path("inputSchema"));
        out.println("  output schema: "
                + (m.has("outputSchema") ? m.path("outputSchema").toString() : "(none)"));
        if (m.has("annotations")) {
            out.println("  annotations  : " + m.path("annotations"));
        }
        out.println("  egress hosts : " + (m.path("egress").isEmpty() ? "(none: no network)" : join(m.path("egress"))));
        if (m.path("secrets").isEmpty()) {
            out.println("  secrets      : (none)");
        } else {
            out.println("  secrets      :");
            for (Iterator<Map.Entry<String, JsonNode>> it =
                            m.path("secrets").properties().iterator();
                    it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.println("    " + e.getKey() + " -> " + join(e.getValue()));
            }
        }
        JsonNode l = v.path("limits");
        JsonNode e = l.path("effective");
        out.printf(
                "  limits       : cpu %d ms, wall %d ms, memory %d MiB, output %d KiB, logs %d KiB / %d entries"
                        + " (effective)%n",
                e.path("cpuMs").asLong(),
                e.path("wallMs").asLong(),
                e.path("memoryMb").asLong(),
                e.path("outputKb").asLong(),
                e.path("logKb").asLong(),
                e.path("logEntries").asLong());
        if (!l.path("requested").isEmpty()) {
            out.println("    requested  : " + l.path("requested"));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it =
                        l.path("capped").properties().iterator();
                it.hasNext(); ) {
            Map.Entry<String, JsonNode> c = it.next();
            out.println("    CAPPED     : " + c.getKey() + " requested "
                    + c.getValue().path("requested").asLong() + ", the operator's maximum is "
                    + c.getValue().path("maximum").asLong());
        }
    }

    /** Prints a review: the changes (all fields as added for a first version) and poisoning signs. */
    static void printChanges(JsonNode c, PrintWriter out) {
        if (c.isMissingNode()) {
            return;
        }
        if (c.path("comparedTo").isNull()) {
            out.println("No approved version to compare with: every field is new:");
        } else {
            out.println("Changes since approved v" + c.path("comparedTo").asInt() + ":");
        }
        if (c.path("changes").isEmpty()) {
            out.println("  (none)");
        }
        boolean first = c.path("comparedTo").isNull();
        for (JsonNode ch : c.path("changes")) {
            String what = ch.path("field").asText()
                    + ("OTHER".equals(ch.path("field").asText())
                            ? " " + ch.path("key").asText()
                            : "");
            out.println("  " + what + ": " + (first ? "" : shorten(ch.path("before")) + " -> ")
                    + shorten(ch.path("after")));
        }
        JsonNode signs = c.path("poisoningSigns");
        for (JsonNode s : signs) {
            out.println("  WARNING " + s.path("kind").asText() + " in "
                    + s.path("location").asText() + ": " + s.path("evidence").asText());
        }
        if (!signs.isEmpty()) {
            out.println("  (approving it needs --yes, which accepts these " + signs.size() + " warning(s))");
        }
    }

    private static String shorten(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) {
            return "(absent)";
        }
        String s = n.isTextual() ? n.asText() : n.toString();
        return s.length() > 2000 ? s.substring(0, 2000) + "... (" + s.length() + " characters)" : s;
    }

    private static String join(JsonNode array) {
        StringBuilder b = new StringBuilder();
        array.forEach(h -> b.append(b.isEmpty() ? "" : ", ").append(h.asText()));
        return b.toString();
    }
}

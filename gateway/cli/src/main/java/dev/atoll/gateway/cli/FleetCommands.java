package dev.atoll.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.cli.AdminClient.Reply;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.Command;

/** {@code atoll fleet ...}: the gateway nodes sharing one registry database (docs/fleet.md). */
@Command(
        name = "fleet",
        synopsisSubcommandLabel = "COMMAND",
        description = "See the gateway nodes that share this gateway's registry database.",
        subcommands = {FleetCommands.Status.class})
final class FleetCommands extends CommandGroup {

    /** {@code atoll fleet status}. */
    @Command(
            name = "status",
            description = {
                "List every node of the fleet: region, version, up since, ready, the "
                        + "catalogue revision it serves, its last heartbeat, calls/s and cold starts/s.",
                "A node without a heartbeat for longer than fleet.stale-after-ms is flagged STALE; one serving an older "
                        + "revision than the database's is flagged LAGGING. Exit 1 when any node is stale or lagging."
            })
    static final class Status extends AdminCommand {
        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            Reply r = c.get("/v1/fleet");
            if (!r.ok()) {
                return printJson(c, r);
            }
            JsonNode f = r.body();
            boolean flagged = false;
            for (JsonNode n : f.path("nodes")) {
                flagged |= n.path("stale").asBoolean() || n.path("lagging").asBoolean();
            }
            if (json) {
                out().println(f.toPrettyString());
                return flagged ? Main.REFUSED : Main.OK;
            }
            PrintWriter out = out();
            Instant now = Instant.now();
            out.printf(
                    "database revision %d; this node %s: %s%n",
                    f.path("revision").asLong(),
                    f.path("propagation").path("node").asText(),
                    propagation(f.path("propagation")));
            out.printf(
                    "%-20s %-10s %-14s %-9s %-5s %-8s %-10s %7s %7s  %s%n",
                    "NODE", "REGION", "VERSION", "UP", "READY", "REVISION", "HEARTBEAT", "CALLS/S", "COLD/S", "FLAGS");
            for (JsonNode n : f.path("nodes")) {
                String flags = (n.path("stale").asBoolean() ? "STALE " : "")
                        + (n.path("lagging").asBoolean() ? "LAGGING " : "")
                        + (n.path("self").asBoolean() ? "(this)" : "");
                out.printf(
                        "%-20s %-10s %-14s %-9s %-5s %-8d %-10s %7.1f %7.1f  %s%n",
                        n.path("id").asText(),
                        n.path("region").asText(),
                        n.path("version").asText(),
                        ago(n.path("startedAt").asText(), now),
                        n.path("ready").asBoolean() ? "yes" : "no",
                        n.path("revision").asLong(),
                        ago(n.path("lastHeartbeat").asText(), now) + " ago",
                        n.path("callsPerSecond").asDouble(),
                        n.path("coldStartsPerSecond").asDouble(),
                        flags.strip());
            }
            return flagged ? Main.REFUSED : Main.OK;
        }

        private static String propagation(JsonNode p) {
            return switch (p.path("mode").asText()) {
                case "notify" ->
                    (p.path("listening").asBoolean() ? "listening" : "NOT listening (reconnecting)")
                            + " for changes, poll every " + p.path("pollMs").asLong() + " ms as fallback, "
                            + p.path("reconnects").asLong() + " reconnect(s)";
                case "poll" -> "polling for changes every " + p.path("pollMs").asLong() + " ms";
                default -> "single node (embedded database)";
            };
        }

        private static String ago(String instant, Instant now) {
            try {
                Duration d = Duration.between(Instant.parse(instant), now);
                long s = Math.max(0, d.toSeconds());
                return s < 120 ? s + "s" : s < 7200 ? s / 60 + "m" : s < 172_800 ? s / 3600 + "h" : s / 86_400 + "d";
            } catch (DateTimeParseException e) {
                return "?";
            }
        }
    }
}

package dev.atoll.gateway.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.atoll.gateway.cli.AdminClient.Reply;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code atoll audit ...}: the hash-chained audit log. */
@Command(
        name = "audit",
        synopsisSubcommandLabel = "COMMAND",
        description = "Read and check the hash-chained audit log.",
        subcommands = {
            AuditCommands.Verify.class,
            AuditCommands.Tail.class,
            AuditCommands.Export.class,
            AuditCommands.Head.class
        })
final class AuditCommands extends CommandGroup {

    /** Output of untrusted text: every control, format and non-ASCII character escaped. */
    static final ObjectMapper SAFE =
            JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    /** Records fetched per request. */
    static final int PAGE = 1000;

    /** The record filters shared by tail and export. */
    static final class Filters {
        @Option(names = "--tool", paramLabel = "T", description = "only records of this tool")
        @Nullable
        String tool;

        @Option(names = "--tenant", paramLabel = "T", description = "only records of this tenant")
        @Nullable
        String tenant;

        @Option(names = "--action", paramLabel = "A", description = "only this action, e.g. tool.call")
        @Nullable
        String action;

        @Option(names = "--from", paramLabel = "TIME", description = "only records at or after this ISO-8601 instant")
        @Nullable
        String from;

        @Option(names = "--to", paramLabel = "TIME", description = "only records before this ISO-8601 instant")
        @Nullable
        String to;

        /** The query string for {@code GET /v1/audit}, after {@code after}, at most {@code limit}. */
        String query(long after, int limit) {
            StringBuilder q =
                    new StringBuilder("?limit=").append(limit).append("&after=").append(after);
            add(q, "tool", tool);
            add(q, "tenant", tenant);
            add(q, "action", action);
            add(q, "from", from);
            add(q, "to", to);
            return q.toString();
        }

        private static void add(StringBuilder q, String key, @Nullable String value) {
            if (value != null) {
                q.append('&').append(key).append('=').append(AdminClient.enc(value));
            }
        }
    }

    /** {@code atoll audit verify [--against FILE]}. */
    @Command(
            name = "verify",
            description = {
                "Check the audit log's hash chain; name the first broken record.",
                "With --against FILE, also check the log against saved checkpoints (JSON lines): a log rewritten "
                        + "from the start is caught too.",
                "Exit status 1 when the log is not intact."
            })
    static final class Verify extends AdminCommand {
        @Option(names = "--against", paramLabel = "FILE", description = "audit checkpoints, one JSON object a line")
        @Nullable
        Path against;

        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            Reply r;
            if (against == null) {
                r = c.get("/v1/audit/verify");
            } else {
                byte[] checkpoints;
                try {
                    checkpoints = Files.readAllBytes(against);
                } catch (NoSuchFileException e) {
                    throw usage("no such file: " + against);
                }
                r = c.send(
                        "POST",
                        "/v1/audit/verify",
                        HttpRequest.BodyPublishers.ofByteArray(checkpoints),
                        "application/x-ndjson");
            }
            if (!r.ok()) {
                return c.refused(r, err());
            }
            JsonNode b = r.body();
            boolean intact = b.path("intact").asBoolean();
            if (json) {
                out().println(b.toPrettyString());
                return intact ? Main.OK : Main.REFUSED;
            }
            String cps = b.has("checkpointsChecked")
                    ? ", " + b.path("checkpointsChecked").asLong() + " checkpoint(s)"
                    : "";
            if (intact) {
                out().println("audit log intact: " + b.path("checked").asLong() + " records" + cps + ", head #"
                        + b.path("headSeq").asLong() + " " + b.path("headHash").asText());
                return Main.OK;
            }
            out().println("audit log BROKEN at record #" + b.path("brokenAt").asLong() + " ("
                    + b.path("problem").asText() + "): " + b.path("message").asText() + cps);
            return Main.REFUSED;
        }
    }

    /** {@code atoll audit head}. */
    @Command(name = "head", description = "Print the chain head: the last record's sequence number and hash.")
    static final class Head extends AdminCommand {
        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            Reply r = c.get("/v1/audit/head");
            if (json || !r.ok()) {
                return printJson(c, r);
            }
            out().println("#" + r.body().path("seq").asLong() + " "
                    + r.body().path("hash").asText());
            return Main.OK;
        }
    }

    /** {@code atoll audit tail}. */
    @Command(
            name = "tail",
            description = {
                "Print the newest records (oldest of them first), one a line; with "
                        + "--follow keep printing new records as they are written until interrupted (Ctrl-C)."
            })
    static final class Tail extends AdminCommand {
        @Option(
                names = {"-n", "--limit"},
                paramLabel = "N",
                defaultValue = "20",
                description = "how many of the newest records (default 20, at most 10000)")
        int limit;

        @Option(
                names = {"-f", "--follow"},
                description = "keep polling for records after the last one shown")
        boolean follow;

        @Option(
                names = "--interval-ms",
                paramLabel = "MS",
                defaultValue = "1000",
                description = "with --follow, the pause between polls (default 1000, 100-60000)")
        long intervalMs;

        @picocli.CommandLine.ArgGroup(exclusive = false)
        Filters filters = new Filters();

        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            if (limit < 1 || limit > 10_000) {
                throw usage("--limit must be 1-10000, got " + limit);
            }
            if (intervalMs < 100 || intervalMs > 60_000) {
                throw usage("--interval-ms must be 100-60000, got " + intervalMs);
            }
            Reply head = c.get("/v1/audit/head");
            if (!head.ok()) {
                return c.refused(head, err());
            }
            long headSeq = head.body().path("seq").asLong();
            Deque<JsonNode> newest = new ArrayDeque<>();
            // Windows back from the head, growing 4x, until they hold enough matching records; each
            // window is read forward in pages keeping only the newest `limit`. Ends at seq 0.
            long window = Math.max(limit, 64);
            long last = headSeq;
            while (true) {
                long after = Math.max(0, headSeq - window);
                newest.clear();
                Reply r = null;
                long cursor = after;
                do {
                    r = c.get("/v1/audit" + filters.query(cursor, PAGE));
                    if (!r.ok()) {
                        return c.refused(r, err());
                    }
                    for (JsonNode rec : r.body()) {
                        cursor = rec.path("seq").asLong();
                        newest.addLast(rec);
                        if (newest.size() > limit) {
                            newest.removeFirst();
                        }
                    }
                } while (r.body().size() == PAGE);
                last = Math.max(headSeq, cursor);
                if (newest.size() >= limit || after == 0) {
                    break;
                }
                window *= 4;
            }
            newest.forEach(this::print);
            out().flush();
            if (!follow) {
                return Main.OK;
            }
            long lastShown = last;
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(Duration.ofMillis(intervalMs));
                    Reply r;
                    do {
                        r = c.get("/v1/audit" + filters.query(lastShown, PAGE));
                        if (!r.ok()) {
                            return c.refused(r, err());
                        }
                        for (JsonNode rec : r.body()) {
                            lastShown = rec.path("seq").asLong();
                            print(rec);
                        }
                        out().flush();
                    } while (r.body().size() == PAGE);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // interrupted: following ends normally
            }
            return Main.OK;
        }

        private void print(JsonNode rec) {
            printRecord(rec, json, out());
        }
    }

    /** {@code atoll audit export}. */
    @Command(name = "export", description = "Print the matching records as JSON lines, oldest first.")
    static final class Export extends AdminCommand {
        @Option(
                names = "--limit",
                paramLabel = "N",
                defaultValue = "10000",
                description = "most records (default 10000, at most 10000)")
        int limit;

        @Option(
                names = "--after",
                paramLabel = "SEQ",
                defaultValue = "0",
                description = "only records after this sequence number (paging)")
        long after;

        @picocli.CommandLine.ArgGroup(exclusive = false)
        Filters filters = new Filters();

        @Override
        int run(AdminClient c) throws IOException, InterruptedException {
            if (limit < 1 || limit > 10_000) {
                throw usage("--limit must be 1-10000, got " + limit);
            }
            Reply r = c.get("/v1/audit" + filters.query(after, limit));
            if (!r.ok()) {
                return c.refused(r, err());
            }
            for (JsonNode rec : r.body()) {
                printRecord(rec, true, out());
            }
            return Main.OK;
        }
    }

    /** One record: a JSON line (escaped), or a line of text whose untrusted parts are JSON-escaped. */
    static void printRecord(JsonNode rec, boolean asJson, PrintWriter out) {
        try {
            if (asJson) {
                out.println(SAFE.writeValueAsString(rec));
                return;
            }
            StringBuilder b = new StringBuilder();
            b.append('#')
                    .append(rec.path("seq").asLong())
                    .append(' ')
                    .append(rec.path("at").asText())
                    .append(' ')
                    .append(safe(rec.path("actor")))
                    .append(' ')
                    .append(safe(rec.path("action")));
            if (!rec.path("tool").asText().isEmpty()) {
                b.append(' ').append(safe(rec.path("tool")));
                if (!rec.path("version").isNull() && !rec.path("version").isMissingNode()) {
                    b.append(" v").append(rec.path("version").asInt());
                }
            }
            if (!rec.path("tenant").asText().isEmpty()) {
                b.append(" tenant=").append(safe(rec.path("tenant")));
            }
            if (!rec.path("node").asText().isEmpty()) { // written by a fleet node (node.id, node.region)
                b.append(" node=")
                        .append(safe(rec.path("node")))
                        .append(" region=")
                        .append(safe(rec.path("region")));
            }
            b.append(' ').append(safe(rec.path("outcome")));
            if (!rec.path("detail").isEmpty()) {
                b.append(' ').append(SAFE.writeValueAsString(rec.path("detail")));
            }
            out.println(b);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A text value with controls and non-ASCII escaped (no quotes). */
    private static String safe(JsonNode n) throws JsonProcessingException {
        String q = SAFE.writeValueAsString(n.asText());
        return q.substring(1, q.length() - 1);
    }
}

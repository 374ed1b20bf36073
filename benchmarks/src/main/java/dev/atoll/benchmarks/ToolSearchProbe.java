package dev.atoll.benchmarks;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.backend.CatalogEntry;
import dev.atoll.gateway.backend.ToolBackend;
import dev.atoll.gateway.internal.mcp.ServedTools;
import dev.atoll.gateway.internal.mcp.ToolSearch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Not a JMH benchmark: the cost of {@code retrieve_tools}' index at catalogue scale. Builds a catalogue
 * of N synthetic tools (names, titles, descriptions and parameters drawn from a fixed vocabulary with a
 * fixed seed), then measures: the initial index build; the re-index after one tool changes (a
 * deployment); and the latency of Q searches of 2–5 words, for a caller that may call every tool and
 * for a token scoped to 50 tools. Bounded: at most Q searches per case and at most 60 s per case.
 *
 * <pre>
 * BENCH_JAVA_OPTS="--add-exports dev.atoll.gateway.mcp/dev.atoll.gateway.internal.mcp=ALL-UNNAMED" \
 *   BENCH_MAIN=dev.atoll.benchmarks.ToolSearchProbe benchmarks/run.sh [TOOLS] [QUERIES]
 * </pre>
 */
public final class ToolSearchProbe {

    private static final String[] VERBS = {
        "create",
        "list",
        "get",
        "update",
        "delete",
        "search",
        "send",
        "read",
        "write",
        "export",
        "import",
        "sync",
        "archive",
        "approve",
        "cancel",
        "schedule",
        "convert",
        "translate",
        "summarize",
        "upload"
    };
    private static final String[] NOUNS = {
        "issue",
        "ticket",
        "message",
        "channel",
        "file",
        "directory",
        "invoice",
        "customer",
        "order",
        "payment",
        "event",
        "calendar",
        "repository",
        "branch",
        "commit",
        "pull_request",
        "user",
        "group",
        "report",
        "dashboard",
        "alert",
        "incident",
        "document",
        "page",
        "record",
        "table",
        "query",
        "image",
        "video",
        "email",
        "contact",
        "lead",
        "deal",
        "task",
        "project",
        "build",
        "deployment",
        "secret",
        "bucket",
        "cluster"
    };
    private static final String[] SYSTEMS = {
        "github",
        "gitlab",
        "jira",
        "slack",
        "teams",
        "drive",
        "s3",
        "stripe",
        "hubspot",
        "salesforce",
        "notion",
        "confluence",
        "zendesk",
        "pagerduty",
        "datadog",
        "postgres",
        "k8s",
        "calendar",
        "gmail",
        "figma"
    };
    private static final String[] WORDS = {
        "quickly",
        "for",
        "the",
        "a",
        "with",
        "from",
        "in",
        "of",
        "by",
        "state",
        "filter",
        "owner",
        "status",
        "date",
        "range",
        "name",
        "id",
        "labels",
        "priority",
        "assignee",
        "comment",
        "attachment",
        "workspace",
        "team",
        "region",
        "limit",
        "page",
        "cursor",
        "format",
        "language"
    };

    private ToolSearchProbe() {}

    /**
     * @param args number of tools (default 10000), number of searches per case (default 2000)
     */
    public static void main(String[] args) {
        int tools = Integer.parseInt(args.length > 0 ? args[0] : "10000");
        int queries = Integer.parseInt(args.length > 1 ? args[1] : "2000");
        if (tools < 1 || tools > 1_000_000 || queries < 1 || queries > 1_000_000) {
            throw new IllegalArgumentException("TOOLS and QUERIES must be within 1..1000000");
        }
        Random random = new Random(42);
        List<CatalogEntry> entries = new ArrayList<>(tools);
        for (int i = 0; i < tools; i++) {
            entries.add(entry(random, i, 1));
        }
        ServedTools catalog = new ServedTools();
        catalog.replace(entries);
        System.out.printf(
                "tools=%d queries=%d cpus=%d%n",
                tools, queries, Runtime.getRuntime().availableProcessors());
        // Warm the JIT on a small index first (the first build also loads Lucene's classes).
        for (int w = 0; w < 3; w++) {
            ServedTools small = new ServedTools();
            small.replace(entries.subList(0, Math.min(500, tools)));
            try (ToolSearch s = new ToolSearch(small)) {
                for (int q = 0; q < 200; q++) {
                    s.search(query(random), 10, Optional.empty());
                }
            }
        }
        long t0 = System.nanoTime();
        long c0 = processCpu();
        try (ToolSearch search = new ToolSearch(catalog)) {
            long built = System.nanoTime() - t0;
            System.out.printf(
                    "index build: %.1f ms wall, %.1f ms process CPU, for %d tools%n",
                    built / 1e6, (processCpu() - c0) / 1e6, search.size());
            long[] reindex = new long[20];
            long r0 = processCpu();
            for (int i = 0; i < reindex.length; i++) {
                int k = random.nextInt(tools);
                entries.set(k, entry(random, k, i + 2));
                long s = System.nanoTime();
                catalog.replace(entries); // the catalogue's listener re-indexes the changed tool
                reindex[i] = System.nanoTime() - s;
            }
            System.out.printf(
                    "one tool changed (catalogue replace + re-index), 20 times: wall %s; process CPU %.1f ms each%n",
                    summary(reindex), (processCpu() - r0) / 1e6 / reindex.length);
            Set<String> scope = new HashSet<>();
            while (scope.size() < Math.min(50, tools)) {
                scope.add(entries.get(random.nextInt(tools)).name());
            }
            run("all tools", search, random, queries, Optional.empty());
            run("scoped to 50", search, random, queries, Optional.of(scope));
        }
    }

    private static void run(String label, ToolSearch search, Random random, int queries, Optional<Set<String>> scope) {
        long[] lat = new long[queries];
        int n = 0;
        long hits = 0;
        long deadline = System.nanoTime() + 60_000_000_000L;
        long c0 = processCpu();
        for (; n < queries && System.nanoTime() < deadline; n++) {
            String q = query(random);
            long s = System.nanoTime();
            hits += search.search(q, 10, scope).size();
            lat[n] = System.nanoTime() - s;
        }
        long cpu = processCpu() - c0;
        System.out.printf(
                "search, %s, top 10: %d queries, wall %s; process CPU %.3f ms per query (mean hits %.1f)%n",
                label, n, summary(Arrays.copyOf(lat, n)), cpu / 1e6 / n, (double) hits / n);
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static String summary(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return String.format(
                "p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms",
                s[s.length / 2] / 1e6,
                s[(int) (s.length * 0.9)] / 1e6,
                s[Math.min(s.length - 1, (int) (s.length * 0.99))] / 1e6,
                s[s.length - 1] / 1e6);
    }

    private static String query(Random r) {
        int words = 2 + r.nextInt(4);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < words; i++) {
            String[] from = switch (r.nextInt(4)) {
                case 0 -> VERBS;
                case 1 -> NOUNS;
                case 2 -> SYSTEMS;
                default -> WORDS;
            };
            b.append(i == 0 ? "" : " ").append(from[r.nextInt(from.length)].replace('_', ' '));
        }
        return b.toString();
    }

    private static CatalogEntry entry(Random r, int i, int version) {
        String system = SYSTEMS[r.nextInt(SYSTEMS.length)];
        String verb = VERBS[r.nextInt(VERBS.length)];
        String noun = NOUNS[r.nextInt(NOUNS.length)];
        String name = system + "__" + verb + "_" + noun + "_" + i;
        ObjectNode def = JsonNodeFactory.instance
                .objectNode()
                .put("name", name)
                .put("title", verb + " " + noun.replace('_', ' '));
        StringBuilder d = new StringBuilder(verb.substring(0, 1).toUpperCase(java.util.Locale.ROOT))
                .append(verb.substring(1))
                .append(" a ")
                .append(noun.replace('_', ' '))
                .append(" in ")
                .append(system);
        for (int w = 0; w < 8 + r.nextInt(20); w++) {
            d.append(' ').append(WORDS[r.nextInt(WORDS.length)]);
        }
        def.put("description", d.append('.').toString());
        ObjectNode props = def.putObject("inputSchema").put("type", "object").putObject("properties");
        for (int p = 0; p < 1 + r.nextInt(5); p++) {
            props.putObject(WORDS[r.nextInt(WORDS.length)] + (p == 0 ? "" : "Id"))
                    .put("type", "string");
        }
        ToolBackend none = (tool, arguments, context) -> {
            throw new UnsupportedOperationException("not called");
        };
        return new CatalogEntry(name, version, "sha256:" + name + ":" + version, def, none, name);
    }
}

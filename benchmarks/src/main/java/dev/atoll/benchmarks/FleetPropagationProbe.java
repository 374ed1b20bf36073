package dev.atoll.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.registry.Actor;
import dev.atoll.gateway.registry.Catalogue;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.RegistryConfig;
import dev.atoll.gateway.registry.ToolDefinition;
import dev.atoll.runtime.LimitOverrides;
import dev.atoll.runtime.ToolManifest;
import dev.atoll.runtime.ToolSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Not a JMH benchmark (one sample is a database round trip plus a wait for another node): fleet
 * propagation latency (docs/fleet.md, "Propagation"). Two registries on one fresh PostgreSQL schema
 * play two nodes; node A disables and enables a tool in turn, {@code changes} times, and each
 * sample is the time from the start of A's mutation (its transaction and commit included) to node
 * B's catalogue listener holding the new revision, i.e. B serving the change. The next change is
 * made once B has the previous one. Mode {@code notify}: LISTEN/NOTIFY with the poll set to 10 min
 * (only notifications can explain what B sees); {@code poll}: notifications off, the revision poll
 * every {@code pollMs} alone. Bounded: at most {@code changes} changes and 20 minutes; a change B
 * has not seen within 30 s counts as lost and ends the run.
 *
 * <pre>
 * BENCH_MAIN=dev.atoll.benchmarks.FleetPropagationProbe benchmarks/run.sh "$ATOLL_TEST_PG_URL" 1000 notify
 * BENCH_MAIN=dev.atoll.benchmarks.FleetPropagationProbe benchmarks/run.sh "$ATOLL_TEST_PG_URL" 1000 poll 100
 * BENCH_MAIN=dev.atoll.benchmarks.FleetPropagationProbe benchmarks/run.sh "$ATOLL_TEST_PG_URL" 100 poll 1000
 * </pre>
 */
public final class FleetPropagationProbe {

    private static final Actor BENCH = new Actor("cli:bench");

    private FleetPropagationProbe() {}

    /**
     * @param args JDBC URL of a PostgreSQL database, changes (default 1000), {@code notify} or
     *     {@code poll} (default notify), poll interval in ms for {@code poll} (default 1000)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        String base = args[0];
        int changes = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        boolean notify = args.length <= 2 || args[2].equals("notify");
        Duration poll =
                notify ? Duration.ofMinutes(10) : Duration.ofMillis(args.length > 3 ? Long.parseLong(args[3]) : 1000);
        String schema =
                "atoll_bench_" + Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0x7fffffff);
        try (Connection c = DriverManager.getConnection(base);
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        Path dirA = Files.createTempDirectory("atoll-bench-a");
        Path dirB = Files.createTempDirectory("atoll-bench-b");
        Map<Long, Long> seenAt = new ConcurrentHashMap<>();
        Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
        int done = 0;
        try (Registry a = Registry.open(config(dirA, url, notify, poll, "bench-a"));
                Registry b = Registry.open(config(dirB, url, notify, poll, "bench-b"))) {
            b.onCatalogueChange(cat -> seenAt.putIfAbsent(cat.revision(), System.nanoTime()));
            var v = a.deploy(tool("propagated"), BENCH).version();
            a.approve(v.name(), v.version(), BENCH);
            await(b, a.catalogue().revision(), Duration.ofSeconds(60)); // B is up and in step
            for (int i = 0; i < changes && System.nanoTime() < deadline; i++) {
                long t0 = System.nanoTime();
                if (i % 2 == 0) {
                    a.disable("propagated", BENCH);
                } else {
                    a.enable("propagated", BENCH);
                }
                long revision = a.catalogue().revision();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!seenAt.containsKey(revision)) {
                    if (System.nanoTime() > until) {
                        System.out.printf(
                                "change %d (revision %d) not seen by node B within 30 s: stopping%n", i, revision);
                        break;
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                }
                Long at = seenAt.get(revision);
                if (at == null) {
                    break;
                }
                h.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(at - t0)));
                done++;
            }
            System.out.printf(
                    "mode %s%s, %d changes: p50 %.2f ms, p99 %.2f ms, max %.2f ms, mean %.2f ms"
                            + " (node B's listener: %s)%n",
                    notify ? "notify" : "poll",
                    notify ? "" : " every " + poll.toMillis() + " ms",
                    done,
                    h.getValueAtPercentile(50) / 1000.0,
                    h.getValueAtPercentile(99) / 1000.0,
                    h.getMaxValue() / 1000.0,
                    h.getMean() / 1000.0,
                    b.fleet().propagation());
        } finally {
            try (Connection c = DriverManager.getConnection(base);
                    Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private static RegistryConfig config(Path dir, String url, boolean notify, Duration poll, String name) {
        return RegistryConfig.builder()
                .dataDir(dir)
                .jdbcUrl(url)
                .notifications(notify)
                .catalogueRefresh(poll)
                .applicationName(name)
                .build();
    }

    private static void await(Registry b, long revision, Duration within) {
        long until = System.nanoTime() + within.toNanos();
        Catalogue c = b.catalogue();
        while (c.revision() < revision) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException("node B did not reach revision " + revision);
            }
            Thread.onSpinWait();
            c = b.catalogue();
        }
    }

    private static ToolDefinition tool(String name) {
        ObjectNode schema = new ObjectMapper().createObjectNode().put("type", "object");
        ToolManifest m = new ToolManifest(
                name,
                Optional.empty(),
                "propagation probe",
                schema,
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Map.of(),
                LimitOverrides.none());
        return ToolDefinition.of(ToolSource.js(name + ".mjs", "export const tool = {};\nexport default () => 1;"), m);
    }
}

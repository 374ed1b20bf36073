package dev.atoll.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.registry.testing.TestStore;
import dev.atoll.gateway.testing.ChildJvm;
import dev.atoll.gateway.testing.StatelessCall;
import dev.atoll.gateway.upstream.testing.UpstreamTestSupport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #21: three gateway nodes (JVMs of their own) on one PostgreSQL schema behind a real HAProxy
 * running {@code deploy/haproxy/haproxy.cfg}, MCP calls through HAProxy from concurrent clients:
 *
 * <ol>
 *   <li>{@code kill -9} of one node under load: HAProxy's checks take it out, and every call that
 *       starts after HAProxy marked it down succeeds on the others (calls in flight on the killed node
 *       may fail: they reached it);</li>
 *   <li>a rolling restart of all three (SIGTERM: {@code /readyz} 503 while the node still takes calls,
 *       then the listener closes and in-flight calls finish; start again, wait until HAProxy has it
 *       up again) under load loses no call.</li>
 * </ol>
 *
 * <p>The nodes are started once for both. Needs {@code ATOLL_TEST_PG_URL} (skipped without it) and
 * {@code haproxy} on the PATH (scripts/test.sh installs both).
 */
class FleetLoadBalancerTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "atoll_mcp_fleet_lb_test_token_000";
    private static final int NODES = 3;
    private static final int CLIENTS = 4;

    /** One call through HAProxy: when it started and ended, and whether it succeeded. */
    /**
     * One client call. {@code ok}: answered with the right slug. {@code answered}: a node answered it,
     * with the slug or with the tool's own CPU-limit error (slugify's manifest allows 50 ms of CPU; a
     * node just restarted without JIT warm-up, next to two others and HAProxy on two cores, can spend
     * more than that in the interpreter: the node served the call, nothing was lost).
     */
    private record Outcome(long startNanos, long endNanos, boolean ok, boolean answered, String detail) {}

    private static boolean cpuLimitAnswer(JsonNode body) {
        JsonNode result = body.path("result");
        return result.path("isError").asBoolean(false)
                && result.path("content").path(0).path("text").asText().startsWith("the tool used more than its CPU");
    }

    /** A node JVM and its output. */
    private static final class Node {
        final int index;
        final int port;
        final Path data;
        final List<String> output = new CopyOnWriteArrayList<>();
        volatile Process process;

        Node(int index, int port, Path data) {
            this.index = index;
            this.port = port;
            this.data = data;
        }

        String name() {
            return "node" + index;
        }

        boolean said(String prefix) {
            return output.stream().anyMatch(l -> l.startsWith(prefix));
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES) // six JVM starts: 1-2 min each on a 2-core machine at load 40+
    void killNineAndRollingRestartUnderLoadLoseNoCallAfterDetection() throws Exception {
        TestStore.assumePostgres();
        requireHaproxy();
        String jdbc = TestStore.freshPostgresUrl();
        List<Node> nodes = new ArrayList<>();
        for (int i = 1; i <= NODES; i++) {
            nodes.add(new Node(i, freePort(), Files.createTempDirectory(scratch, "atoll-fleet-" + i)));
        }
        int lbPort = freePort();
        List<String> haproxyLog = new CopyOnWriteArrayList<>();
        // (node name, "UP"/"DOWN") -> nanoTime of each state change HAProxy reported, in order
        ConcurrentLinkedQueue<long[]> changes = new ConcurrentLinkedQueue<>();
        Process haproxy = null;
        List<Thread> clients = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        try {
            // Node 1 first: it creates the schema and deploys the examples (slugify); the others
            // find both in the database.
            start(nodes.get(0), jdbc, true);
            awaitReady(nodes.get(0));
            start(nodes.get(1), jdbc, false);
            start(nodes.get(2), jdbc, false);
            awaitReady(nodes.get(1));
            awaitReady(nodes.get(2));

            ProcessBuilder pb = new ProcessBuilder(
                    haproxy(),
                    "-db",
                    "-f",
                    UpstreamTestSupport.root()
                            .resolve("deploy/haproxy/haproxy.cfg")
                            .toString());
            pb.environment()
                    .putAll(Map.of(
                            "ATOLL_LB_BIND",
                            "127.0.0.1:" + lbPort,
                            "ATOLL_NODE1",
                            "127.0.0.1:" + nodes.get(0).port,
                            "ATOLL_NODE2",
                            "127.0.0.1:" + nodes.get(1).port,
                            "ATOLL_NODE3",
                            "127.0.0.1:" + nodes.get(2).port));
            haproxy = pb.redirectErrorStream(true).start();
            pump(haproxy.getInputStream(), line -> {
                haproxyLog.add(line);
                for (int i = 1; i <= NODES; i++) {
                    if (line.contains("Server atoll/node" + i + " is DOWN")) {
                        changes.add(new long[] {i, 0, System.nanoTime()});
                    } else if (line.contains("Server atoll/node" + i + " is UP")) {
                        changes.add(new long[] {i, 1, System.nanoTime()});
                    }
                }
            });
            String lb = "http://127.0.0.1:" + lbPort + "/mcp";
            HttpClient http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
            await("HAProxy answers")
                    .atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .until(() -> StatelessCall.post(http, lb, TOKEN, "slugify", "{\"text\":\"Up\"}")
                                    .statusCode()
                            == 200);

            // Bounded load: CLIENTS callers until stopped, at most 8 minutes and 500,000 calls each.
            long end = System.nanoTime() + Duration.ofMinutes(8).toNanos();
            AtomicLong sequence = new AtomicLong();
            for (int c = 0; c < CLIENTS; c++) {
                clients.add(Thread.ofPlatform()
                        .daemon()
                        .name("fleet-client-" + c)
                        .start(() -> {
                            for (int i = 0; i < 500_000 && !stop.get() && System.nanoTime() < end; i++) {
                                long n = sequence.incrementAndGet();
                                long t0 = System.nanoTime();
                                try {
                                    HttpResponse<String> r = StatelessCall.post(
                                            http, lb, TOKEN, "slugify", "{\"text\":\"Call " + n + "\"}");
                                    JsonNode body = r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
                                    boolean ok = body != null
                                            && ("call-" + n)
                                                    .equals(body.path("result")
                                                            .path("structuredContent")
                                                            .path("slug")
                                                            .asText());
                                    boolean answered = ok || (body != null && cpuLimitAnswer(body));
                                    outcomes.add(new Outcome(
                                            t0,
                                            System.nanoTime(),
                                            ok,
                                            answered,
                                            ok ? "" : r.statusCode() + " " + r.body()));
                                } catch (IOException e) {
                                    outcomes.add(new Outcome(t0, System.nanoTime(), false, false, e.toString()));
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                        }));
            }
            awaitSuccesses(outcomes, 0, 200);

            // 1. kill -9 of node 2 under load.
            Node victim = nodes.get(1);
            long killedAt = System.nanoTime();
            victim.process.destroyForcibly();
            victim.process.waitFor(60, TimeUnit.SECONDS);
            long downAt = awaitChange(changes, victim.index, 0, killedAt, haproxyLog);
            awaitSuccesses(outcomes, downAt, 300);
            List<Outcome> afterDetection =
                    outcomes.stream().filter(o -> o.startNanos() > downAt).toList();
            List<Outcome> failedAfter =
                    afterDetection.stream().filter(o -> !o.answered()).toList();
            long failedInWindow = outcomes.stream()
                    .filter(o -> !o.answered() && o.startNanos() <= downAt)
                    .count();
            System.out.printf(
                    "FleetLoadBalancerTest kill -9: detected after %d ms; %d calls failed before "
                            + "detection (in flight on the killed node), %d of %d after%n",
                    (downAt - killedAt) / 1_000_000, failedInWindow, failedAfter.size(), afterDetection.size());
            assertTrue(failedAfter.isEmpty(), "calls failed after HAProxy took the killed node out: " + failedAfter);
            // Only calls that reached the killed node may fail: at most one per client (each client has
            // one call in flight), plus reused connections HAProxy tried before its check (none retried).
            assertTrue(failedInWindow <= 2L * CLIENTS, "too many calls failed around the kill: " + failedInWindow);

            // 2. Rolling restart under load: no call may fail. The killed node is started again first
            // (one JVM start less: the test's time is mostly JVM starts), then the others in turn.
            long rollingFrom = System.nanoTime();
            List<Node> order = new ArrayList<>(List.of(victim));
            nodes.stream().filter(n -> n != victim).forEach(order::add);
            for (Node n : order) {
                long stopAt = System.nanoTime();
                if (n != victim) {
                    n.process.destroy(); // SIGTERM: drain, then exit
                    assertTrue(n.process.waitFor(90, TimeUnit.SECONDS), n.name() + " did not stop after SIGTERM");
                    // 143 = ended by SIGTERM after its shutdown hooks ran (not a crash, not SIGKILL).
                    assertEquals(143, n.process.exitValue(), n.name() + " ended otherwise: " + tail(n));
                    awaitChange(changes, n.index, 0, stopAt, haproxyLog); // its /readyz said 503 while draining
                }
                start(n, jdbc, false);
                awaitReady(n);
                awaitChange(changes, n.index, 1, stopAt, haproxyLog);
                awaitSuccesses(outcomes, System.nanoTime(), 50);
            }
            List<Outcome> rolling =
                    outcomes.stream().filter(o -> o.startNanos() >= rollingFrom).toList();
            List<Outcome> failedRolling =
                    rolling.stream().filter(o -> !o.answered()).toList();
            System.out.printf(
                    "FleetLoadBalancerTest rolling restart: %d calls, %d failed, %d answered with the tool's CPU limit%n",
                    rolling.size(),
                    failedRolling.size(),
                    rolling.stream().filter(o -> o.answered() && !o.ok()).count());
            assertTrue(rolling.size() >= 150, "too little load during the restart: " + rolling.size());
            assertEquals(List.of(), failedRolling, "calls lost during the rolling restart");
        } finally {
            stop.set(true);
            // Kill every child first, without waiting: a JUnit timeout interrupts this thread, and a
            // wait below would then throw and leave the rest running.
            if (haproxy != null) {
                haproxy.destroyForcibly();
            }
            nodes.stream().filter(n -> n.process != null).forEach(n -> n.process.destroyForcibly());
            for (Thread t : clients) {
                t.join(Duration.ofSeconds(60));
            }
            if (haproxy != null) {
                haproxy.destroyForcibly();
                haproxy.waitFor(30, TimeUnit.SECONDS);
            }
            for (Node n : nodes) {
                if (n.process != null) {
                    n.process.destroyForcibly();
                    n.process.waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** The haproxy binary: on the PATH, else Debian's /usr/sbin/haproxy (not on every user's PATH). */
    private static String haproxy() {
        return Files.isExecutable(Path.of("/usr/sbin/haproxy")) ? "/usr/sbin/haproxy" : "haproxy";
    }

    private static String tail(Node n) {
        List<String> out = n.output;
        return String.join("\n", out.subList(Math.max(0, out.size() - 30), out.size()));
    }

    private static void requireHaproxy() {
        try {
            Process p = new ProcessBuilder(haproxy(), "-v")
                    .redirectErrorStream(true)
                    .start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            assertTrue(v.contains("HAProxy version"), v);
        } catch (IOException | InterruptedException e) {
            fail("haproxy is not installed (scripts/test.sh installs it from apt): " + e);
        }
    }

    private static void start(Node n, String jdbc, boolean examples) throws IOException {
        n.output.clear();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(
                java,
                "--sun-misc-unsafe-memory-access=allow",
                ChildJvm.NO_WARM_UP,
                "-Xmx512m",
                "-cp",
                ChildJvm.classPath(),
                FleetNodeMain.class.getName(),
                n.data.toString(),
                TOKEN,
                "mcp.port=" + n.port,
                "admin.port=0",
                "registry.jdbc-url=\"" + jdbc + "\"",
                "node.id=" + n.name(),
                "examples.deploy=" + examples,
                "metrics.jvm=false");
        n.process = new ProcessBuilder(command).redirectErrorStream(true).start();
        pump(n.process.getInputStream(), n.output::add);
    }

    private static void awaitReady(Node n) {
        await(n.name() + " to print READY")
                .atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofMillis(50))
                .failFast(n.name() + " exited: " + n.output, () -> !n.process.isAlive())
                .until(() -> n.said("READY "));
    }

    /** Waits until HAProxy reported {@code node} going to {@code state} (0 down, 1 up) after {@code since}. */
    private static long awaitChange(
            ConcurrentLinkedQueue<long[]> changes, int node, int state, long since, List<String> log) {
        try {
            await("HAProxy to mark node" + node + (state == 0 ? " down" : " up"))
                    .atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> changes.stream().anyMatch(c -> c[0] == node && c[1] == state && c[2] >= since));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "; HAProxy said: " + log, e);
        }
        return changes.stream()
                .filter(c -> c[0] == node && c[1] == state && c[2] >= since)
                .mapToLong(c -> c[2])
                .min()
                .orElseThrow();
    }

    private static void awaitSuccesses(ConcurrentLinkedQueue<Outcome> outcomes, long startedAfter, int count) {
        await(count + " successful calls")
                .atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> outcomes.stream()
                                .filter(o -> o.ok() && o.startNanos() > startedAfter)
                                .count()
                        >= count);
    }

    private static void pump(InputStream in, Consumer<String> lines) {
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.accept(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        });
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}

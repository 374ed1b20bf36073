package dev.atoll.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Measures what running tools in worker processes would cost on this machine (issue #19, the "last
 * resort": a node that kills and respawns a worker instead of writing off a thread), against the
 * in-process path: a worker's start until it serves, its resident memory, and one call's round trip
 * over a pipe. Not a test of Atoll's behaviour (its name does not match surefire's includes); run it
 * alone and read its output:
 *
 * <pre>
 * ./mvnw -o -B -ntp -q -pl runtime -am verify -Dtest=WorkerProcessProbe -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * Results are recorded in docs/security.md ("Worker processes").
 */
class WorkerProcessProbe {

    private static final int CALLS = 2000;

    @Test
    void measure() throws Exception {
        Path testClasses = Path.of(WorkerChild.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        // A bare JVM that echoes lines: the floor of any JVM worker.
        report(
                "bare JVM (echo)",
                List.of(
                        java,
                        "-XX:TieredStopAtLevel=1",
                        "-Xss1m",
                        "-cp",
                        testClasses.toString(),
                        "dev.atoll.runtime.EchoWorker"));

        // The same runtime in a child process, with the same JIT flags as this JVM.
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Xss4m",
                "--sun-misc-unsafe-memory-access=allow",
                "--enable-native-access=org.graalvm.truffle,dev.atoll.runtime,ALL-UNNAMED"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.equals("-XX:+UnlockExperimentalVMOptions")
                    || a.equals("-XX:+EnableJVMCI")
                    || a.startsWith("--upgrade-module-path")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of(
                "--module-path",
                System.getProperty("jdk.module.path"),
                "--patch-module",
                "dev.atoll.runtime=" + testClasses,
                "--add-reads",
                "dev.atoll.runtime=ALL-UNNAMED",
                "-m",
                "dev.atoll.runtime/dev.atoll.runtime.WorkerChild"));
        report("Atoll runtime in a worker", cmd);

        // In process, for comparison: one cold call of the same tool on this JVM's runtime.
        try (ToolRuntime runtime = ToolRuntime.builder().build()) {
            Tool tiny = runtime.load(Tools.tool("{ cpuMs: 1000, wallMs: 5000 }", "return 2 + 2;"));
            long[] took = new long[CALLS];
            for (int i = 0; i < CALLS; i++) {
                long t0 = System.nanoTime();
                CallResult r = runtime.call(tiny, JsonNodeFactory.instance.objectNode());
                took[i] = System.nanoTime() - t0;
                assertEquals(OutcomeKind.OK, r.outcome().kind());
            }
            System.out.println("WorkerProcessProbe in process: call " + percentiles(took));
        }
    }

    private static void report(String what, List<String> cmd) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Writer out = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
            assertEquals("READY", in.readLine());
            long startMs = (System.nanoTime() - t0) / 1_000_000;
            long[] took = new long[CALLS];
            for (int i = 0; i < CALLS; i++) {
                long c0 = System.nanoTime();
                out.write("{\"n\":" + i + "}\n");
                out.flush();
                String line = in.readLine();
                took[i] = System.nanoTime() - c0;
                assertTrue(line != null && !line.isEmpty());
            }
            long rssKb = Files.readAllLines(Path.of("/proc/" + p.pid() + "/status")).stream()
                    .filter(l -> l.startsWith("VmRSS:"))
                    .map(l -> l.replaceAll("\\D", ""))
                    .mapToLong(Long::parseLong)
                    .findFirst()
                    .orElse(-1);
            System.out.println("WorkerProcessProbe " + what + ": start to serving " + startMs + " ms, RSS "
                    + rssKb / 1024 + " MiB after " + CALLS + " calls, round trip " + percentiles(took));
        } finally {
            p.getOutputStream().close();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    /** p50 and p99 of the last half (after warm-up), in microseconds. */
    private static String percentiles(long[] nanos) {
        long[] warm = Arrays.copyOfRange(nanos, nanos.length / 2, nanos.length);
        Arrays.sort(warm);
        return "p50 " + warm[warm.length / 2] / 1000 + " us, p99 " + warm[(int) (warm.length * 0.99)] / 1000 + " us";
    }
}

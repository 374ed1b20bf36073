package dev.atoll.benchmarks;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;

/**
 * Not a JMH benchmark: what Atoll's JavaScript bootstrap adds to a fresh context, side by side in one
 * JVM. One thread creates contexts on three engines (each variant its own, so no variant's code or
 * shapes help another) in rounds of SECONDS per variant, and prints the thread's CPU per context:
 * {@code realm} evaluates {@code 1} (GraalJS creating the realm), {@code bootstrap} evaluates the
 * bootstrap file and calls its setup function as the runtime does, with no-op host functions,
 * {@code boot-no-typed} the same without the typed-array constructor proxies (the loop over
 * {@code 'ArrayBuffer', 'SharedArrayBuffer', ...}). The context options are the runtime's JavaScript
 * options; the engine has the runtime's string bound. The first rounds are the JIT's.
 *
 * <pre>
 * BENCH_MAIN=dev.atoll.benchmarks.BootstrapCostProbe benchmarks/run.sh SECONDS ROUNDS \
 *     runtime/src/main/resources/dev/atoll/runtime/internal/bootstrap.js
 * </pre>
 */
public final class BootstrapCostProbe {
    private BootstrapCostProbe() {}

    /**
     * @param args seconds per variant and round, rounds, the bootstrap file
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args.length > 0 ? args[0] : "5");
        int rounds = Integer.parseInt(args.length > 1 ? args[1] : "10");
        Path file = Path.of(
                args.length > 2 ? args[2] : "runtime/src/main/resources/dev/atoll/runtime/internal/bootstrap.js");
        String boot = Files.readString(file);
        int from = boot.indexOf("    for (const name of ['ArrayBuffer', 'SharedArrayBuffer'");
        int to = boot.indexOf("    for (const method of ['transfer'");
        if (from < 0 || to < from) {
            throw new IllegalStateException("the typed-array loop is not where this probe expects it in " + file);
        }
        String noTyped = boot.substring(0, from) + boot.substring(to);
        Map<String, String> options = Map.of(
                "js.load", "false",
                "js.print", "false",
                "js.graal-builtin", "false",
                "js.console", "false",
                "js.esm-eval-returns-exports", "true");
        String[] names = {"realm", "bootstrap", "boot-no-typed"};
        Source[] sources = {
            Source.create("js", "1"),
            Source.newBuilder("js", boot, "atoll-bootstrap.js").buildLiteral(),
            Source.newBuilder("js", noTyped, "atoll-bootstrap-no-typed.js").buildLiteral()
        };
        Engine[] engines = new Engine[names.length];
        for (int i = 0; i < engines.length; i++) {
            engines[i] = Engine.newBuilder("js")
                    .allowExperimentalOptions(true)
                    .option("engine.WarnInterpreterOnly", "false")
                    .option("js.string-length-limit", Integer.toString(1 << 25))
                    .out(OutputStream.nullOutputStream())
                    .err(OutputStream.nullOutputStream())
                    .build();
        }
        ProxyExecutable log = a -> null;
        ProxyExecutable timer = a -> 1;
        ProxyExecutable memory = a -> null;
        ProxyExecutable cpu = a -> 0;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        System.out.println("# CPU per fresh context, µs (one thread, " + seconds + " s per variant and round)");
        for (int r = 0; r < rounds; r++) {
            StringBuilder line = new StringBuilder("round " + r + ":");
            for (int v = 0; v < names.length; v++) {
                long end = System.nanoTime() + seconds * 1_000_000_000L;
                long n = 0;
                long cpu0 = threads.getCurrentThreadCpuTime();
                while (System.nanoTime() - end < 0) {
                    try (Context c = Context.newBuilder("js")
                            .engine(engines[v])
                            .allowHostAccess(HostAccess.CONSTRAINED)
                            .options(options)
                            .build()) {
                        Value x = c.eval(sources[v]);
                        if (v > 0) {
                            x.execute(log, timer, memory, 10_000, 64.0 * 1024 * 1024, cpu, 1 << 25);
                        }
                        n++;
                    }
                }
                line.append(String.format(
                        " %s=%.1f", names[v], (threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / Math.max(1, n)));
            }
            System.out.println(line);
        }
        for (Engine e : engines) {
            e.close();
        }
    }
}

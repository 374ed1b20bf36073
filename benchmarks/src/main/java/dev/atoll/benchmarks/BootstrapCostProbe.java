package dev.atoll.benchmarks;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;

/**
 * Not a JMH benchmark: what Atoll's JavaScript bootstrap and GraalJS's realm cost per fresh context,
 * side by side in one JVM. One thread creates contexts on one engine per variant (so no variant's code
 * or shapes help another) in rounds of SECONDS per variant, and prints the thread's CPU per context.
 * A variant is {@code realm} (evaluates {@code 1}: GraalJS creating the realm) or a bootstrap file
 * (evaluated, and its setup function called as the runtime does, with no-op host functions), either
 * followed by {@code :OPTION=VALUE,...} JavaScript context options added to the runtime's (e.g.
 * {@code realm:js.intl-402=false}). Give two versions of the bootstrap to compare a change with the
 * current one. The engine has the runtime's string bound. The first rounds are the JIT's.
 *
 * <pre>
 * BENCH_MAIN=dev.atoll.benchmarks.BootstrapCostProbe benchmarks/run.sh SECONDS ROUNDS VARIANT...
 * # e.g. 5 10 realm runtime/src/main/resources/dev/atoll/runtime/internal/bootstrap.js OLD.js
 * </pre>
 */
public final class BootstrapCostProbe {
    private BootstrapCostProbe() {}

    /**
     * @param args seconds per variant and round, rounds, the variants
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args.length > 0 ? args[0] : "5");
        int rounds = Integer.parseInt(args.length > 1 ? args[1] : "10");
        List<String> variants = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            variants.add(args[i]);
        }
        if (variants.isEmpty()) {
            variants.add("realm");
            variants.add("runtime/src/main/resources/dev/atoll/runtime/internal/bootstrap.js");
        }
        Map<String, String> runtimeOptions = Map.of(
                "js.load", "false",
                "js.print", "false",
                "js.graal-builtin", "false",
                "js.console", "false",
                "js.esm-eval-returns-exports", "true");
        int count = variants.size();
        String[] names = new String[count];
        Source[] sources = new Source[count];
        boolean[] isBootstrap = new boolean[count];
        List<Map<String, String>> options = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String v = variants.get(i);
            int colon = v.indexOf(':');
            String what = colon < 0 ? v : v.substring(0, colon);
            Map<String, String> o = new HashMap<>(runtimeOptions);
            if (colon >= 0) {
                for (String kv : v.substring(colon + 1).split(",")) {
                    int eq = kv.indexOf('=');
                    if (eq < 0) {
                        throw new IllegalArgumentException("not OPTION=VALUE: " + kv + " in " + v);
                    }
                    o.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
            options.add(o);
            isBootstrap[i] = !what.equals("realm");
            if (isBootstrap[i]) {
                Path f = Path.of(what);
                sources[i] = Source.newBuilder("js", Files.readString(f), "atoll-" + f.getFileName())
                        .buildLiteral();
                names[i] = i + ":" + f.getFileName() + (colon < 0 ? "" : v.substring(colon));
            } else {
                sources[i] = Source.create("js", "1");
                names[i] = i + ":" + v;
            }
        }
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
                            .allowExperimentalOptions(true)
                            .options(options.get(v))
                            .build()) {
                        Value x = c.eval(sources[v]);
                        if (isBootstrap[v]) {
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

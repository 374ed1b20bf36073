package dev.atoll.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.Outcome;
import dev.atoll.runtime.RuntimeInfo;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolRuntime;
import dev.atoll.runtime.ToolSource;
import java.lang.management.ManagementFactory;

/**
 * What every benchmark sets up the same way: a runtime whose JIT state is checked against the one
 * asked for, the tiny tool and its arguments. Failures here abort the benchmark with the reason, so a
 * misconfigured fork never produces numbers for the wrong runtime.
 */
final class Fixtures {

    /** The smallest useful tool: a manifest and a default export that adds one. */
    static final String TINY_TOOL = """
            export const tool = { name: "tiny", description: "d", inputSchema: { type: "object" } };
            export default (args) => ({ n: (args.n ?? 0) + 1 });
            """;

    private Fixtures() {}

    /**
     * A runtime checked to run guest code with the JIT on or off, as asked. Whether guest code is
     * compiled depends on the JVM alone ({@code engine.Compilation} cannot be set under the CONSTRAINED
     * sandbox): {@code jit=false} needs a JVM without JVMCI, {@code ATOLL_JIT=0 benchmarks/run.sh}.
     *
     * @param jit whether the optimizing runtime is wanted
     * @return the runtime; close it in the trial tear-down
     * @throws IllegalStateException if the runtime is on the class path or its JIT state is not the one
     *     asked for
     */
    static ToolRuntime runtime(boolean jit) {
        if (!ToolRuntime.class.getModule().isNamed()) {
            throw new IllegalStateException("atoll-runtime is on the class path, not the module path: GraalVM's"
                    + " optimizing runtime needs the polyglot jars as modules; start through benchmarks/run.sh"
                    + " (forks need -jvmArgs with --module-path, see run.sh)");
        }
        ToolRuntime runtime = ToolRuntime.builder().build();
        RuntimeInfo info = runtime.info();
        System.out.println("# atoll runtime: jit requested=" + jit + ", JVM can JIT=" + jvmCanJit()
                + ", optimizing=" + info.optimizing() + ", " + info.implementationName() + " "
                + info.graalVersion() + " (" + info.reason() + ")");
        if (info.optimizing() != jit) {
            runtime.close();
            throw new IllegalStateException("jit=" + jit + " was requested but runtime.info().optimizing() is "
                    + info.optimizing() + ": " + info.reason() + (jit ? "" : " (use ATOLL_JIT=0 benchmarks/run.sh)"));
        }
        return runtime;
    }

    /** Whether this JVM was started with JVMCI and the Graal compiler (what {@code run.sh} does by default). */
    static boolean jvmCanJit() {
        boolean jvmci = false;
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.equals("-XX:+EnableJVMCI") || a.equals("-XX:-EnableJVMCI")) {
                jvmci = a.equals("-XX:+EnableJVMCI"); // the last one wins
            }
        }
        return jvmci && ModuleLayer.boot().findModule("jdk.graal.compiler").isPresent();
    }

    /**
     * Loads {@link #TINY_TOOL} and checks one call of it.
     *
     * @param runtime the runtime
     * @return the loaded tool
     */
    static Tool tinyTool(ToolRuntime runtime) {
        Tool tool = runtime.load(tinySource());
        CallResult r = runtime.call(tool, args());
        if (!(r.outcome() instanceof Outcome.Ok ok) || ok.value().path("n").asInt() != 42) {
            throw new IllegalStateException("the tiny tool does not answer {\"n\":42}: " + r.toJson());
        }
        return tool;
    }

    /** {@link #TINY_TOOL} as a tool file. */
    static ToolSource tinySource() {
        return ToolSource.js("tiny.mjs", TINY_TOOL);
    }

    /** The arguments of every call: {@code {"n": 41}}. */
    static JsonNode args() {
        return JsonNodeFactory.instance.objectNode().put("n", 41);
    }
}

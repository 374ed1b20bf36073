package dev.atoll.runtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.runtime.InvalidToolException;
import dev.atoll.runtime.Language;
import dev.atoll.runtime.Limits;
import dev.atoll.runtime.ToolSource;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;

/**
 * Python tools, run by GraalPy: a module evaluated in {@code __main__} that assigns its manifest to
 * {@code TOOL} and defines {@code main(args, env)}. Calls are synchronous: the bootstrap's runner
 * settles before it returns (host work is waited for inside the call, through {@code wait(id)}), and
 * the result crosses as a guest value that the host writes as JSON ({@link GuestJson}).
 */
final class PythonGuest implements GuestLanguage {

    static final PythonGuest INSTANCE = new PythonGuest();

    /** Largest manifest, as JSON, in chars. */
    private static final int MAX_MANIFEST_CHARS = 1024 * 1024;

    /** Finds {@code TOOL = <literal>} with {@code ast}, without running the module. */
    private static final String LITERAL = """
            def _atoll_literal(code, name):
                import ast
                try:
                    tree = ast.parse(code, filename=name)
                except SyntaxError as e:
                    return ['error', 'the tool file is not valid Python: ' + str(e.msg) + ' (line ' + str(e.lineno) + ')']
                found = []
                for node in tree.body:
                    if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == 'TOOL' for t in node.targets):
                        found.append(node)
                    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name) and node.target.id == 'TOOL':
                        found.append(node)
                if not found:
                    return ['error', 'the tool file must assign its manifest as a literal at the top level: TOOL = {"name": ..., "description": ..., "inputSchema": {...}}']
                if len(found) > 1:
                    return ['error', 'TOOL is assigned more than once (line ' + str(found[1].lineno) + '); assign the manifest literal once']
                node = found[0]
                if not isinstance(node, ast.Assign) or len(node.targets) != 1:
                    return ['error', 'TOOL (line ' + str(node.lineno) + ') must be assigned on its own: TOOL = {...}']
                try:
                    return ['ok', ast.literal_eval(node.value)]
                except (ValueError, TypeError, SyntaxError, RecursionError) as e:
                    return ['error', 'TOOL (line ' + str(node.lineno) + ') must be a static literal (dicts, lists,'
                            ' strings, numbers, True, False, None; no names, calls or f-strings): ' + str(e)[:200]]
            _atoll_literal
            """;

    /** Exercises what most Python tools touch (json, re, str methods, dict and list work, datetime). */
    private static final String WARM_UP = """
            TOOL = {}
            def main(args, env):
                import re, math, datetime
                text = str({"a": [1, 2.5, "x"], "b": {"c": None}}) + " héllo  wörld\\n"
                words = [w.lower() for w in re.split(r"\\s+", text.strip()) if w]
                counts = {}
                for w in words:
                    counts[w] = counts.get(w, 0) + 1
                print("warm-up", len(words))
                d = datetime.datetime(2020, 1, 1).isoformat()
                return {"words": len(words), "counts": len(counts), "d": d, "sqrt": math.sqrt(2), "s": sorted(set(text))[:3]}
            """;

    private PythonGuest() {}

    @Override
    public Language language() {
        return Language.PYTHON;
    }

    @Override
    public String displayName() {
        return "Python";
    }

    /**
     * {@link SandboxPolicy#CONSTRAINED}: under it GraalPy uses its Java POSIX backend (no native POSIX
     * calls) and refuses {@code python.PosixModuleBackend}, so the backend cannot be switched to native.
     */
    @Override
    public SandboxPolicy sandboxPolicy() {
        return SandboxPolicy.CONSTRAINED;
    }

    /** Nothing: the engine is CONSTRAINED, and GraalPy has no string bound. */
    @Override
    public void configureEngine(Engine.Builder builder, int maxStringChars) {}

    @Override
    public Map<String, String> contextOptions() {
        return Map.of();
    }

    @Override
    public String bootstrapFile() {
        return "bootstrap.py";
    }

    /**
     * The operator maxima's CPU and wall time, the defaults otherwise: the module's top-level imports
     * of the standard library are parsed in every fresh GraalPy context and can take a second or more
     * on a cold engine.
     */
    @Override
    public Limits loadLimits(Limits defaults, Limits maxima) {
        return new Limits(
                maxima.cpu(),
                maxima.wall(),
                defaults.memoryBytes(),
                defaults.outputBytes(),
                defaults.logBytes(),
                defaults.logEntries());
    }

    @Override
    public Source module(ToolSource source) {
        return Source.newBuilder("python", source.code(), source.fileName()).buildLiteral();
    }

    /** Empty: the literal needs Python's own parser ({@link #guestLiteral}). */
    @Override
    public Optional<JsonNode> hostLiteral(String code) {
        return Optional.empty();
    }

    /** The {@code TOOL} literal, found with {@code ast} in a context of its own. */
    @Override
    public String guestLiteral(GuestEngine engine, String code, String fileName, Watchdog.Monitor monitor) {
        monitor.beginSetup(); // Atoll's work, not the tool's: only the wall deadline applies
        try (Context c = engine.newContext()) {
            monitor.attach(c);
            Value r = c.eval(Source.newBuilder("python", LITERAL, "atoll-manifest.py")
                            .buildLiteral())
                    .execute(code, fileName);
            String kind = r.getArrayElement(0).asString();
            if (!kind.equals("ok")) {
                throw new InvalidToolException(r.getArrayElement(1).asString());
            }
            return manifestAsJson(r.getArrayElement(1));
        }
    }

    @Override
    public String manifestExport() {
        return "TOOL";
    }

    @Override
    public String noEntryPointMessage() {
        return "the tool file must define a function main: def main(args, env): ...";
    }

    /**
     * The memory limit bounds one step; the bootstrap's own name is removed from the globals the module
     * runs in.
     */
    @Override
    public Value bootstrap(Context context, GuestEngine engine, Hooks hooks, Limits limits) {
        Value runner = context.eval(engine.bootstrap())
                .execute(
                        hooks.log(),
                        hooks.timers(),
                        hooks.memory(),
                        hooks.logChars(),
                        (double) limits.memoryBytes(),
                        hooks.cpu());
        context.getBindings("python").removeMember("_atoll_bootstrap");
        return runner;
    }

    /** A binding's Python script, if it offers one. */
    @Override
    public Optional<Source> bindingScript(Binding binding) {
        return binding.python();
    }

    /**
     * The script's last expression is {@code install(host, wait, env)}, called with the runner's
     * {@code env_attrs}; every global the script defined is removed again.
     */
    @Override
    public Value installBinding(
            Context context, Source script, ProxyExecutable host, ProxyExecutable wait, Value runner) {
        Value globals = context.getBindings("python");
        Set<String> before = Set.copyOf(globals.getMemberKeys());
        Value delivery = context.eval(script).execute(host, wait, runner.getMember("env_attrs"));
        for (String key : Set.copyOf(globals.getMemberKeys())) {
            if (!before.contains(key)) {
                globals.removeMember(key);
            }
        }
        return delivery;
    }

    /** The module runs in {@code __main__}; its exports are read from its globals. */
    @Override
    public Value evaluateModule(Context context, Source module) {
        Value globals = context.getBindings("python");
        context.eval(module);
        return globals;
    }

    /** The runner hands {@code TOOL} back as a value, which the host writes as JSON. */
    @Override
    public String manifestJson(Value runner, Value namespace) {
        Value tool = runner.invokeMember("manifest", namespace.getMember(manifestExport()));
        if (tool.isNull()) {
            return "null";
        }
        return manifestAsJson(tool);
    }

    private static String manifestAsJson(Value tool) {
        try {
            return GuestJson.write(tool, MAX_MANIFEST_CHARS);
        } catch (GuestJson.NotJson e) {
            throw new InvalidToolException("TOOL is not JSON: " + e.getMessage());
        } catch (GuestJson.TooLarge e) {
            throw new InvalidToolException("TOOL is larger than 1 MiB as JSON");
        }
    }

    /**
     * The runner settles before it returns (a binding's host work is waited for inside the call, in
     * {@code wait}); the result is written as JSON here, from the value, bounded to {@code maxChars}.
     */
    @Override
    public Settlement run(Value runner, Value entry, Call call) {
        long maxChars = call.maxChars();
        runner.invokeMember(
                "run",
                entry,
                call.argsJson(),
                call.envJson(),
                (double) Math.min(maxChars, Integer.MAX_VALUE),
                call.settleFunction(args -> settlement(args, maxChars)),
                call.fileName());
        return call.settledOnReturn();
    }

    /** {@code settle("ok", value, _)} or {@code settle(kind, message, stack)}. */
    private static Optional<Settlement> settlement(Value[] args, long maxChars) {
        if (args.length != 3 || !args[0].isString()) {
            return Optional.empty();
        }
        Value a = args[1];
        Value b = args[2];
        if (args[0].asString().equals("ok")) {
            try {
                return Optional.of(new Settlement.Ok(GuestJson.write(a, maxChars)));
            } catch (GuestJson.NotJson e) {
                return Optional.of(new Settlement.BadOutput(Settlement.errorJson(e.getMessage(), "")));
            } catch (GuestJson.TooLarge e) {
                return Optional.of(new Settlement.TooLarge(Long.toString(e.chars)));
            }
        }
        String message = a.isString() ? a.asString() : "error";
        String stack = b.isString() ? b.asString() : "";
        return Optional.of(new Settlement.Error(Settlement.errorJson(message, stack)));
    }

    @Override
    public Source warmUpModule() {
        return Source.newBuilder("python", WARM_UP, "warmup.py").buildLiteral();
    }

    /**
     * A few rounds: the first GraalPy contexts run the JVM's own cold code (parser, builtins) and cost
     * seconds each; later ones reuse what the shared engine compiled.
     */
    @Override
    public int warmUpRounds() {
        return 3;
    }

    /**
     * The first GraalPy context takes seconds of CPU (more on a loaded machine, interpreted): no tool
     * limit applies to it.
     */
    @Override
    public Limits warmUpLimits() {
        return new Limits(Duration.ofMinutes(5), Duration.ofMinutes(5), 1L << 40, 1L << 20, 1L << 20, 1000);
    }
}

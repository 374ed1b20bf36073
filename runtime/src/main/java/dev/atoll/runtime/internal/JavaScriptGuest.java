package dev.atoll.runtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.runtime.Language;
import dev.atoll.runtime.Limits;
import dev.atoll.runtime.ToolSource;
import java.util.Map;
import java.util.Optional;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;

/**
 * JavaScript tools, run by GraalJS: an ES module whose default export is the tool and whose
 * {@code tool} export is its manifest. Calls are asynchronous: the bootstrap's runner returns at once,
 * and the session's event loop drives timers and host completions until the tool's promise settles.
 */
final class JavaScriptGuest implements GuestLanguage {

    static final JavaScriptGuest INSTANCE = new JavaScriptGuest();

    /**
     * Options set on every JS context. CONSTRAINED leaves globals that let a guest print or load code
     * ({@code load}, {@code print}, {@code Graal}, its own {@code console}); these turn them off, and make
     * module evaluation return the module namespace. {@code Polyglot}, {@code Java} and
     * {@code Packages} are absent because polyglot and host class access are denied (their own options
     * are experimental, and experimental options are refused in a sandbox); the tests check all of them.
     */
    static final Map<String, String> OPTIONS = Map.of(
            "js.load", "false",
            "js.print", "false",
            "js.graal-builtin", "false",
            "js.console", "false",
            "js.esm-eval-returns-exports", "true");

    private static final String MODULE_MIME_TYPE = "application/javascript+module";

    /** Exercises the builtins most tools touch (regex, JSON, strings, collections, promises, dates). */
    private static final String WARM_UP = """
            export const tool = {};
            export default async function (args) {
              const text = JSON.stringify({ a: [1, 2.5, "x"], b: { c: null } }) + " héllo  wörld\\n";
              const words = text.trim().split(/\\s+/u).map((w) => w.toLowerCase()).filter(Boolean);
              const m = new Map(words.map((w, i) => [w, i])), s = new Set([...text]);
              const r = /([a-z]+)(\\d*)/gi, found = [...text.matchAll(r)].map((x) => x[1]);
              const d = new Date(0).toISOString() + Date.now();
              const o = { ...JSON.parse(text.slice(0, text.indexOf("}}") + 2)), n: Number("4.2").toFixed(1) };
              await Promise.all([1, 2].map(async (x) => x * 2));
              return { words: words.length, m: m.size, s: s.size, found, d: d.length, o, rep: "ab".repeat(3).replace(/b/g, "c") };
            }
            """;

    private JavaScriptGuest() {}

    @Override
    public Language language() {
        return Language.JS;
    }

    @Override
    public String displayName() {
        return "JavaScript";
    }

    /**
     * {@link SandboxPolicy#TRUSTED}, with every CONSTRAINED restriction set explicitly: the string
     * bound ({@link #configureEngine}) is an experimental option CONSTRAINED refuses.
     */
    @Override
    public SandboxPolicy sandboxPolicy() {
        return SandboxPolicy.TRUSTED;
    }

    /**
     * Checks the context configuration against CONSTRAINED's validation (the engine runs under
     * TRUSTED), then bounds every string a guest creates with {@code js.string-length-limit} (see
     * {@link GuestEngine#GuestEngine(Language, int)}).
     */
    @Override
    public void configureEngine(Engine.Builder builder, int maxStringChars) {
        GuestEngine.checkConstrained(Language.JS);
        builder.allowExperimentalOptions(true).option("js.string-length-limit", Integer.toString(maxStringChars));
    }

    @Override
    public Map<String, String> contextOptions() {
        return OPTIONS;
    }

    @Override
    public String bootstrapFile() {
        return "bootstrap.js";
    }

    /** The runtime's default limits. */
    @Override
    public Limits loadLimits(Limits defaults, Limits maxima) {
        return defaults;
    }

    @Override
    public Source module(ToolSource source) {
        return Source.newBuilder("js", source.code(), source.fileName())
                .mimeType(MODULE_MIME_TYPE)
                .buildLiteral();
    }

    /** The {@code tool} literal, parsed from the source text on the host ({@link ManifestLiteral#js}). */
    @Override
    public Optional<JsonNode> hostLiteral(String code) {
        return Optional.of(ManifestLiteral.js(code));
    }

    @Override
    public String guestLiteral(GuestEngine engine, String code, String fileName, Watchdog.Monitor monitor) {
        return "null";
    }

    @Override
    public String manifestExport() {
        return "tool";
    }

    @Override
    public String noEntryPointMessage() {
        return "the tool file must export a default function: export default async function (args, env) { ... }";
    }

    /**
     * One step (a typed array, a dense array copy, a string the bootstrap's guards size up front) may
     * allocate at most the call's memory limit and at most twice the engine's largest string (64 MiB
     * by default), so that every running guest's worst single step fits the heap together
     * (docs/security.md); a guarded string is at most the engine's bound, as any other.
     */
    @Override
    public Value bootstrap(Context context, GuestEngine engine, Hooks hooks, Limits limits) {
        return context.eval(engine.bootstrap())
                .execute(
                        hooks.log(),
                        hooks.timers(),
                        hooks.memory(),
                        hooks.logChars(),
                        (double) Math.min(limits.memoryBytes(), 4L * engine.maxStringChars()),
                        hooks.cpu(),
                        engine.maxStringChars());
    }

    /** Every binding has a JavaScript script. */
    @Override
    public Optional<Source> bindingScript(Binding binding) {
        return Optional.of(binding.script());
    }

    /** The script is {@code function (host) {...}}; it keeps its names in its own closure. */
    @Override
    public Value installBinding(
            Context context, Source script, ProxyExecutable host, ProxyExecutable wait, Value runner) {
        return context.eval(script).execute(host);
    }

    /** Module evaluation returns the module namespace ({@code js.esm-eval-returns-exports}). */
    @Override
    public Value evaluateModule(Context context, Source module) {
        return context.eval(module);
    }

    /** The bootstrap's runner writes the {@code tool} export as JSON in the guest. */
    @Override
    public String manifestJson(Value runner, Value namespace) {
        return runner.invokeMember("manifest", namespace.getMember(manifestExport()))
                .asString();
    }

    /**
     * The runner starts the entry function and returns; the bootstrap settles with a kind and a JSON
     * payload it has already bounded to {@code maxChars}, from the event loop.
     */
    @Override
    public Settlement run(Value runner, Value entry, Call call) {
        runner.invokeMember(
                "run",
                entry,
                call.argsJson(),
                call.envJson(),
                (double) Math.min(call.maxChars(), Integer.MAX_VALUE),
                call.settleFunction(JavaScriptGuest::settlement));
        return call.eventLoop();
    }

    /** {@code settle(kind, payload)}, both strings, as {@link Settlement#fromGuest} reads them. */
    private static Optional<Settlement> settlement(Value[] args) {
        return args.length == 2 && args[0].isString() && args[1].isString()
                ? Optional.of(Settlement.fromGuest(args[0].asString(), args[1].asString()))
                : Optional.empty();
    }

    @Override
    public Source warmUpModule() {
        return Source.newBuilder("js", WARM_UP, "warmup.mjs")
                .mimeType(MODULE_MIME_TYPE)
                .buildLiteral();
    }

    @Override
    public int warmUpRounds() {
        return 1;
    }

    @Override
    public Limits warmUpLimits() {
        return Limits.defaultMaxima();
    }
}

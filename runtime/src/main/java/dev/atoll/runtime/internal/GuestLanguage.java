package dev.atoll.runtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.runtime.InvalidToolException;
import dev.atoll.runtime.Language;
import dev.atoll.runtime.Limits;
import dev.atoll.runtime.ToolSource;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;

/**
 * Everything the runtime does differently for one guest language: how its engine and contexts are
 * configured, how a context is bootstrapped and a binding installed, how a module is evaluated and its
 * manifest read, how a call is driven and its result handed back, and how its engine warms up.
 * {@link GuestEngine}, {@link GuestSession} and {@link RuntimeCore} hold what is common and ask the
 * strategy for the rest; the strategy is chosen once from the {@link Language} ({@link #of}).
 * Implementations are stateless singletons, safe on any thread.
 */
sealed interface GuestLanguage permits JavaScriptGuest, PythonGuest {

    /**
     * @param language a guest language
     * @return its strategy
     */
    static GuestLanguage of(Language language) {
        return switch (language) {
            case JS -> JavaScriptGuest.INSTANCE;
            case PYTHON -> PythonGuest.INSTANCE;
        };
    }

    /** The language this strategy runs. */
    Language language();

    /** The language's name in messages, e.g. {@code "the Python engine does not start"}. */
    String displayName();

    // --- engine and contexts -------------------------------------------------------------------

    /**
     * The sandbox policy of the language's engine and contexts (one policy for both, as Truffle
     * requires). A policy weaker than CONSTRAINED is allowed only if {@link #configureEngine} checks
     * the context configuration against CONSTRAINED's validation.
     */
    SandboxPolicy sandboxPolicy();

    /**
     * Adds the language's own options to a new engine's builder (the common sandbox, stream and warning
     * settings are already on it). Must throw, and so keep the engine from starting, if the context
     * configuration would break the CONSTRAINED policy.
     *
     * @param builder the engine builder
     * @param maxStringChars longest string a guest may create, where the language can bound it
     */
    void configureEngine(Engine.Builder builder, int maxStringChars);

    /**
     * Language options set on every context, on top of {@link GuestEngine#contextBuilder}'s
     * restrictions: they must turn off whatever the sandbox policy leaves that lets a guest print, load
     * code or reach the host.
     */
    Map<String, String> contextOptions();

    /** The bootstrap resource's file name, next to {@link GuestEngine} in the runtime jar. */
    String bootstrapFile();

    // --- loading --------------------------------------------------------------------------------

    /**
     * The limits a module of this language is evaluated under when its tool is loaded (its manifest,
     * with the tool's own limits, is only known afterwards).
     *
     * @param defaults the runtime's default limits
     * @param maxima the operator maxima
     * @return the loading limits, within {@code maxima}
     */
    Limits loadLimits(Limits defaults, Limits maxima);

    /**
     * The tool file as a module source, built once per loaded tool so the shared engine parses and
     * compiles it once.
     *
     * @param source the tool file, of this language
     * @return the module source
     */
    Source module(ToolSource source);

    /**
     * Reads the manifest literal from the tool's source text on the host, before the module is
     * evaluated and without running any guest code (issue #18, W1). Empty when the language reads it
     * in a guest context instead ({@link #guestLiteral}).
     *
     * @param code the tool's source text
     * @return the literal, or empty when {@link #guestLiteral} reads it
     * @throws InvalidToolException if the source has no manifest literal; the caller reports it after
     *     the module's evaluation, whose errors (a syntax error, a throwing module) say more
     */
    Optional<JsonNode> hostLiteral(String code);

    /**
     * Reads the manifest literal as JSON text on the loading guest thread, before the module is
     * evaluated, in a throwaway context that runs none of the tool's code; {@code "null"} when
     * {@link #hostLiteral} reads it. Time spent here is Atoll's: only the wall deadline applies.
     *
     * @param engine the language's engine
     * @param code the tool's source text
     * @param fileName the tool's file name
     * @param monitor the loading thread's monitor, which must watch any context created here
     * @return the literal as JSON, or {@code "null"}
     * @throws InvalidToolException if the source has no manifest literal, or it is not JSON
     */
    String guestLiteral(GuestEngine engine, String code, String fileName, Watchdog.Monitor monitor);

    /** The name of the module's manifest export, as a tool author writes it ({@code tool}, {@code TOOL}). */
    String manifestExport();

    /** Why a module without the tool's entry point does not load, telling the author what to write. */
    String noEntryPointMessage();

    // --- a context ------------------------------------------------------------------------------

    /**
     * Evaluates the bootstrap in a fresh context and hands it the host's functions and the call's
     * bounds. Afterwards no name of the bootstrap's own may be visible to the tool module.
     *
     * @param context the fresh context
     * @param engine its engine (bootstrap source, string bound)
     * @param hooks the host functions and log bound
     * @param limits the call's limits
     * @return the runner the bootstrap returned ({@code run}, {@code manifest}, ...)
     */
    Value bootstrap(Context context, GuestEngine engine, Hooks hooks, Limits limits);

    /**
     * A binding's guest script for this language.
     *
     * @param binding an installed binding
     * @return its script, or empty if it offers nothing to this language
     */
    Optional<Source> bindingScript(Binding binding);

    /**
     * Evaluates a binding's guest script after the bootstrap and returns the delivery function it
     * installed. No name of the script's own may be left visible to the tool module.
     *
     * @param context the context
     * @param script the binding's guest script ({@link #bindingScript})
     * @param host the binding's {@code host} function
     * @param wait the {@code wait(id)} function of a language whose calls block on host work
     * @param runner the bootstrap's runner
     * @return what the script returned: the delivery function, checked by the caller
     */
    Value installBinding(Context context, Source script, ProxyExecutable host, ProxyExecutable wait, Value runner);

    /**
     * Evaluates the tool module, measured as the tool's own work.
     *
     * @param context the bootstrapped context
     * @param module the module source ({@link #module})
     * @return the namespace the module's exports are read from
     */
    Value evaluateModule(Context context, Source module);

    /**
     * The module's manifest export as JSON text, {@code "null"} if it has none.
     *
     * @param runner the bootstrap's runner
     * @param namespace the module's namespace ({@link #evaluateModule})
     * @return the manifest as JSON
     * @throws InvalidToolException if the manifest is not JSON or larger than 1 MiB as JSON
     */
    String manifestJson(Value runner, Value namespace);

    /**
     * Runs the call's entry function through the bootstrap's runner. Must return only once the call
     * settled, was stopped by the watchdog, can no longer settle or (for a call driven by an event loop)
     * its deadline passed; the result must not exceed {@link Call#maxChars()} characters.
     *
     * @param runner the bootstrap's runner
     * @param entry the entry function (checked executable)
     * @param call the call's inputs and its session's settle and loop machinery
     * @return how the guest side ended
     */
    Settlement run(Value runner, Value entry, Call call);

    // --- warm-up --------------------------------------------------------------------------------

    /**
     * A small module that exercises what most tools of the language touch, run when its engine starts
     * (and, for JavaScript, in the background JIT warm-up). Each call builds a new source; keep one to
     * have it parsed once.
     */
    Source warmUpModule();

    /** How many times {@link #warmUpModule} runs when the engine starts. */
    int warmUpRounds();

    /** The limits each warm-up round runs under; no tool's limits apply to it. */
    Limits warmUpLimits();

    /**
     * What the host hands every bootstrap.
     *
     * @param log {@code log(level, text)}: one console line
     * @param timers {@code timer("set", delayMs)} / {@code timer("clear", id)}
     * @param memory {@code memory()}: the guest tripped its memory bound
     * @param cpu {@code cpu()}: the call's CPU time so far, in nanoseconds
     * @param logChars the largest log text, in chars
     */
    record Hooks(
            ProxyExecutable log, ProxyExecutable timers, ProxyExecutable memory, ProxyExecutable cpu, int logChars) {}

    /** What {@link #run} uses of the session it runs a call in. */
    interface Call {

        /** The arguments, as JSON. */
        String argsJson();

        /** The {@code env} object, as JSON. */
        String envJson();

        /** The largest result, in UTF-16 chars, the guest may hand back. */
        long maxChars();

        /** The tool's file name (its stack frames are the ones kept). */
        String fileName();

        /**
         * The settle function handed to the runner: the first settlement {@code read} makes of its
         * arguments becomes the call's; arguments it rejects (empty) and later settlements are ignored.
         *
         * @param read reads the runner's arguments
         * @return the settle function
         */
        ProxyExecutable settleFunction(Function<Value[], Optional<Settlement>> read);

        /**
         * Runs due timers and delivers host completions on this thread until the call settles, the
         * watchdog stops it, nothing is left that could settle it, or the deadline passes.
         *
         * @return how the call ended
         */
        Settlement eventLoop();

        /**
         * For a runner that settles before it returns: the settlement it made, else
         * {@link Settlement#STOPPED} if the watchdog stopped the call, else {@link Settlement#NEVER}.
         *
         * @return how the call ended
         */
        Settlement settledOnReturn();
    }
}

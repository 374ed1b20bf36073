package dev.atoll.runtime.internal;

import dev.atoll.runtime.AtollRuntimeException;
import dev.atoll.runtime.Language;
import dev.atoll.runtime.RuntimeInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.io.IOAccess;

/**
 * One shared engine for one guest language (code compiled in it is reused by every fresh context) and
 * the factory of its sandboxed contexts. Thread-safe.
 */
public final class GuestEngine implements AutoCloseable {

    /**
     * Longest string a JavaScript guest may create by default, in UTF-16 code units: 16 Mi, so one
     * string costs at most 32 MiB (see {@link #GuestEngine(Language, int)}).
     */
    public static final int DEFAULT_MAX_STRING_CHARS = 16 * 1024 * 1024;

    private final GuestLanguage guest;
    private final Engine engine;
    private final Source bootstrap;
    private final RuntimeInfo info;
    private final int maxStringChars;

    /** Creates the JavaScript engine. */
    public GuestEngine() {
        this(Language.JS);
    }

    /**
     * Creates the engine of one language with the default string bound.
     *
     * @param language the guest language
     */
    public GuestEngine(Language language) {
        this(language, DEFAULT_MAX_STRING_CHARS);
    }

    /**
     * Creates the engine of one language. Whether guest code is JIT-compiled depends on the JVM alone
     * (JVMCI and the Graal compiler on the upgrade module path): {@code engine.Compilation} cannot be
     * set under the CONSTRAINED sandbox, so "JIT off" means a JVM started without JVMCI
     * ({@code ATOLL_JIT=0}).
     *
     * <p>JavaScript: the engine bounds every string a guest creates to {@code maxStringChars} with
     * GraalJS's {@code js.string-length-limit}, which is checked where strings are built (ropes from
     * {@code +}, so their flattening too, {@code join}, {@code JSON.stringify}, {@code repeat}, regular
     * expression replacement). That option is experimental and only allowed under
     * {@link SandboxPolicy#TRUSTED}, and an engine and its contexts must share one policy, so the JS
     * engine runs under TRUSTED with every restriction CONSTRAINED would enforce set explicitly (see
     * {@link #contextBuilder}); at construction the same context configuration is checked once against
     * CONSTRAINED's validation, so a configuration CONSTRAINED would refuse never starts. It is a
     * language-level option in GraalJS (contexts with different values cannot share code), hence one
     * value per engine, i.e. per node.
     *
     * <p>GraalPy supports the CONSTRAINED sandbox policy (not ISOLATED or UNTRUSTED in the open-source
     * runtime); under it GraalPy uses its Java POSIX backend (no native POSIX calls), and refuses the
     * {@code python.PosixModuleBackend} option, so the backend cannot be switched to native either.
     * Python engines therefore stay CONSTRAINED; GraalPy has no string bound.
     *
     * <p>What differs per language (policy, engine and context options, bootstrap) is the
     * language's {@link GuestLanguage} strategy.
     *
     * @param language the guest language
     * @param maxStringChars longest JavaScript string, in UTF-16 code units (1 Ki to 512 Mi)
     */
    public GuestEngine(Language language, int maxStringChars) {
        if (maxStringChars < 1024 || maxStringChars > (1 << 29)) {
            throw new IllegalArgumentException("maxStringChars must be 1024-" + (1 << 29) + ", got " + maxStringChars);
        }
        this.guest = GuestLanguage.of(language);
        this.maxStringChars = maxStringChars;
        Engine.Builder builder = Engine.newBuilder(language.id())
                .sandbox(guest.sandboxPolicy())
                .out(OutputStream.nullOutputStream())
                .err(OutputStream.nullOutputStream())
                .option("engine.WarnInterpreterOnly", "false");
        guest.configureEngine(builder, maxStringChars);
        this.engine = builder.build();
        String file = guest.bootstrapFile();
        this.bootstrap = Source.newBuilder(language.id(), readBootstrap(file), "atoll-" + file)
                .buildLiteral();
        this.info = describe(engine);
    }

    /** The sandbox policy of a language's engine and contexts: TRUSTED plus explicit denials for JS. */
    static SandboxPolicy policy(Language language) {
        return GuestLanguage.of(language).sandboxPolicy();
    }

    /**
     * Builds (without initialising any language) one context with exactly {@link #contextBuilder}'s
     * configuration under CONSTRAINED, on a throwaway CONSTRAINED engine: Truffle validates every
     * CONSTRAINED rule when the context is built, and throws if one is broken.
     */
    static void checkConstrained(Language language) {
        try (Engine probe = Engine.newBuilder(language.id())
                        .sandbox(SandboxPolicy.CONSTRAINED)
                        .out(OutputStream.nullOutputStream())
                        .err(OutputStream.nullOutputStream())
                        .option("engine.WarnInterpreterOnly", "false")
                        .build();
                Context ignored = contextBuilder(language, SandboxPolicy.CONSTRAINED)
                        .engine(probe)
                        .build()) {
            // built: the configuration passes CONSTRAINED's validation
        } catch (IllegalArgumentException e) {
            throw new AtollRuntimeException("the guest context configuration breaks the CONSTRAINED sandbox policy", e);
        }
    }

    /** Longest string a JavaScript guest may create, in UTF-16 code units. */
    public int maxStringChars() {
        return maxStringChars;
    }

    /** The guest language of this engine. */
    public Language language() {
        return guest.language();
    }

    /** What differs for this engine's language. */
    GuestLanguage guest() {
        return guest;
    }

    /** Which runtime runs guest code, and why the optimizing one is off if it is. */
    public RuntimeInfo info() {
        return info;
    }

    /** The bootstrap script, evaluated first in each context. */
    Source bootstrap() {
        return bootstrap;
    }

    /**
     * A new sandboxed context on the shared engine: no I/O, host classes, threads, processes,
     * environment, native or polyglot access; output streams discarded (console is captured by the
     * bootstrap instead).
     */
    Context newContext() {
        return contextBuilder(guest.language(), guest.sandboxPolicy())
                .engine(engine)
                .build();
    }

    /**
     * The configuration of every guest context, under {@code policy}. Each restriction the CONSTRAINED
     * policy enforces is set explicitly (JS contexts run under TRUSTED, see the constructor):
     * permitted language, redirected streams, no all-access, {@code HostAccess.CONSTRAINED} (no public
     * access, no implementations of host interfaces or classes), no host class loading or lookup, no
     * I/O, no threads, no processes, no native access, no environment, no polyglot access, no
     * {@code System.exit}, no inner context options, no experimental options; plus no value sharing.
     */
    static Context.Builder contextBuilder(Language language, SandboxPolicy policy) {
        return Context.newBuilder(language.id())
                .sandbox(policy)
                .allowAllAccess(false)
                .allowHostAccess(HostAccess.CONSTRAINED)
                // No allowHostClassLookup, not even a predicate that denies everything: setting one
                // installs the Java, Packages, java, javax, com and org globals.
                .allowHostClassLoading(false)
                .allowIO(IOAccess.NONE)
                .allowCreateThread(false)
                .allowCreateProcess(false)
                .allowNativeAccess(false)
                .allowEnvironmentAccess(EnvironmentAccess.NONE)
                .allowPolyglotAccess(PolyglotAccess.NONE)
                .allowInnerContextOptions(false)
                .allowExperimentalOptions(false)
                .useSystemExit(false)
                .allowValueSharing(false)
                .in(new ByteArrayInputStream(new byte[0]))
                .out(OutputStream.nullOutputStream())
                .err(OutputStream.nullOutputStream())
                .options(GuestLanguage.of(language).contextOptions());
    }

    @Override
    public void close() {
        engine.close(true);
    }

    private static String readBootstrap(String file) {
        try (InputStream in = GuestEngine.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new AtollRuntimeException(file + " is missing from the runtime jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AtollRuntimeException("cannot read " + file, e);
        }
    }

    private static RuntimeInfo describe(Engine engine) {
        String impl = engine.getImplementationName();
        // engine.getVersion() says "Development Build" for the Maven artifacts; their manifest knows.
        String version = polyglotVersion().orElse(engine.getVersion());
        boolean jit = !impl.toLowerCase(java.util.Locale.ROOT).contains("interpreted");
        if (jit) {
            return new RuntimeInfo(
                    impl,
                    version,
                    true,
                    "optimizing runtime active (" + impl + " " + version + ", JIT via JVMCI on Java "
                            + Runtime.version() + ")");
        }
        return new RuntimeInfo(impl, version, false, whyInterpreted(version));
    }

    private static java.util.Optional<String> polyglotVersion() {
        try (InputStream in = Engine.class.getModule().getResourceAsStream("META-INF/MANIFEST.MF")) {
            if (in == null) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.ofNullable(
                    new java.util.jar.Manifest(in).getMainAttributes().getValue("Implementation-Version"));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    private static String whyInterpreted(String graalVersion) {
        if ("off".equals(System.getProperty("atoll.jit"))) {
            return "disabled with ATOLL_JIT=0 (the JVM was started without JVMCI)";
        }
        boolean jvmci = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.equals("-XX:+EnableJVMCI") || a.equals("-XX:+UseJVMCICompiler"));
        if (!jvmci) {
            return "JVMCI is not enabled: start the JVM with -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI"
                    + " and the Graal compiler jar on --upgrade-module-path (./atoll does this)";
        }
        if (ModuleLayer.boot().findModule("jdk.graal.compiler").isEmpty()) {
            return "the Graal compiler (org.graalvm.compiler:compiler:" + graalVersion
                    + ") is not on --upgrade-module-path";
        }
        return "the Graal compiler " + graalVersion + " rejected this JDK (Java " + Runtime.version()
                + "): its JVMCI version must match; GraalVM 25.0.3 needs Temurin 25.0.3";
    }
}

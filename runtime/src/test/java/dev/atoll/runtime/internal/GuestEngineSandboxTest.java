package dev.atoll.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.runtime.Language;
import java.io.OutputStream;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JavaScript engine runs under {@code SandboxPolicy.TRUSTED} (so that it may bound string length,
 * an option CONSTRAINED refuses) with every CONSTRAINED restriction set explicitly. This proves both
 * halves: the context configuration passes CONSTRAINED's own validation (and the check really refuses
 * a configuration that breaks it), and each restriction holds in a context of the running engine.
 */
class GuestEngineSandboxTest {

    static GuestEngine engine;

    @BeforeAll
    static void start() {
        engine = new GuestEngine(Language.JS, 4096);
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @Test
    void theContextConfigurationPassesConstrainedValidation() {
        GuestEngine.checkConstrained(Language.JS);
        assertEquals(SandboxPolicy.TRUSTED, GuestEngine.policy(Language.JS));
        assertEquals(SandboxPolicy.CONSTRAINED, GuestEngine.policy(Language.PYTHON));
    }

    @Test
    void constrainedValidationRefusesAWeakerConfiguration() {
        // The control for the check above: CONSTRAINED does refuse what it forbids at build time.
        try (Engine probe = Engine.newBuilder("js")
                .sandbox(SandboxPolicy.CONSTRAINED)
                .out(OutputStream.nullOutputStream())
                .err(OutputStream.nullOutputStream())
                .option("engine.WarnInterpreterOnly", "false")
                .build()) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> GuestEngine.contextBuilder(Language.JS, SandboxPolicy.CONSTRAINED)
                            .engine(probe)
                            .allowNativeAccess(true)
                            .build()
                            .close());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> GuestEngine.contextBuilder(Language.JS, SandboxPolicy.CONSTRAINED)
                            .engine(probe)
                            .allowCreateProcess(true)
                            .build()
                            .close());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> GuestEngine.contextBuilder(Language.JS, SandboxPolicy.CONSTRAINED)
                            .engine(probe)
                            .out(System.out)
                            .build()
                            .close());
            // ... and it refuses the string bound, which is why the JS engine is TRUSTED.
            assertThrows(
                    IllegalArgumentException.class,
                    () -> GuestEngine.contextBuilder(Language.JS, SandboxPolicy.CONSTRAINED)
                            .engine(probe)
                            .option("js.string-length-limit", "4096")
                            .build()
                            .close());
        }
    }

    @Test
    void theEngineBoundsStringLength() {
        try (Context c = engine.newContext()) {
            assertEquals(4000, c.eval("js", "'x'.repeat(4000).length").asInt());
            PolyglotException e = assertThrows(
                    PolyglotException.class,
                    () -> c.eval("js", "let s = 'ab'; for (let i = 0; i < 12; i++) s += s; s.length"));
            assertTrue(e.getMessage().contains("Invalid string length"), e.getMessage());
        }
    }

    /** A public host class with a public, non-exported method. */
    public static final class HostThing {
        /** Not annotated with {@code @HostAccess.Export}: a guest must not reach it. */
        public String secret() {
            return "secret";
        }
    }

    @Test
    void eachRestrictionHoldsInAContext() {
        try (Context c = engine.newContext()) {
            // Host access: public members of a host object are not accessible (HostAccess.CONSTRAINED).
            c.getBindings("js").putMember("thing", new HostThing());
            assertEquals("blocked", c.eval("js", """
                    (() => { try { return thing.secret(); } catch (e) { return 'blocked'; } })()""").asString());
            assertEquals("undefined", c.eval("js", "typeof thing.getClass").asString());
            // Host class lookup and loading, polyglot access, shell, load/print, environment, threads.
            assertEquals("", c.eval("js", """
                    ['Java', 'Packages', 'java', 'javax', 'com', 'org', 'Polyglot', 'Graal', 'load', 'print',
                     'console', 'process', 'require', 'Worker', 'quit', 'exit', 'readline', 'read']
                      .filter((n) => typeof globalThis[n] !== 'undefined').join(',')""").asString());
            // I/O: no file can be read as a module, statically or dynamically.
            assertThrows(
                    PolyglotException.class,
                    () -> c.eval(Source.newBuilder("js", "import x from '/etc/passwd'; export default x;", "m.mjs")
                            .mimeType("application/javascript+module")
                            .buildLiteral()));
            c.eval(
                    "js",
                    "var r = 'pending'; import('/etc/hostname').then(() => { r = 'read'; }, () => { r = 'refused'; });");
            assertEquals("refused", c.eval("js", "r").asString());
        }
        // Value sharing: a value of one context is refused by another.
        try (Context a = engine.newContext();
                Context b = engine.newContext()) {
            org.graalvm.polyglot.Value obj = a.eval("js", "({ x: 1 })");
            assertThrows(RuntimeException.class, () -> b.getBindings("js").putMember("o", obj));
        }
    }
}

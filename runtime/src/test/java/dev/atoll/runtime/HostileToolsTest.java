package dev.atoll.runtime;

import static dev.atoll.runtime.Tools.tool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Hostile tools, all in one JVM that must survive every one of them: escape attempts, exhaustion,
 * state leaks between calls, and noisy neighbours. Each test asserts the exact outcome.
 */
class HostileToolsTest {

    static ToolRuntime runtime;
    static final JsonNode NO_ARGS = JsonNodeFactory.instance.objectNode();

    @BeforeAll
    static void start() {
        runtime = ToolRuntime.builder().guestThreads(2).build();
    }

    @AfterAll
    static void survivorCheck() {
        // After every attack the same runtime (and JVM) still runs a normal call correctly.
        CallResult r = call(tool("return { alive: 1 + 1 };"));
        assertTrue(r.ok(), r.toJson().toString());
        assertEquals(2, ((Outcome.Ok) r.outcome()).value().get("alive").asInt());
        runtime.close();
    }

    static CallResult call(ToolSource source) {
        return runtime.call(runtime.load(source), NO_ARGS);
    }

    /** Limits for memory bombs: memory trips long before CPU or wall time. */
    static final String BOMB = "{ cpuMs: 10000, wallMs: 20000, memoryMb: 4 }";

    static JsonNode okValue(CallResult r) {
        assertEquals(OutcomeKind.OK, r.outcome().kind(), () -> r.toJson().toString());
        return ((Outcome.Ok) r.outcome()).value();
    }

    static void assertOutcome(OutcomeKind expected, CallResult r) {
        assertEquals(expected, r.outcome().kind(), () -> r.toJson().toString());
    }

    /**
     * Asserts that a single huge allocation ended the call as memory_exceeded before it happened: the
     * guest allocated far less than it asked for.
     */
    static void assertRefusedUpFront(CallResult r) {
        assertOutcome(OutcomeKind.MEMORY_EXCEEDED, r);
        assertTrue(r.receipt().allocatedBytes() < 32L * 1024 * 1024, r.toJson().toString());
    }

    /**
     * Asserts what matters when several outcomes are safe (which limit trips first depends on the
     * machine's speed and load): the call ended as one of them, within {@link Tools#TIGHT}'s limits.
     */
    static void assertStoppedWithinLimits(Set<OutcomeKind> safe, CallResult r) {
        assertTrue(safe.contains(r.outcome().kind()), () -> "expected one of " + safe + ": " + r.toJson());
        // TIGHT: 200 ms of CPU, 15 s of wall time; slack for the cancellation to land on a loaded machine.
        assertTrue(r.receipt().cpu().toMillis() <= 200 + 300, () -> "CPU past its limit: " + r.toJson());
        assertTrue(r.receipt().wall().toMillis() <= 15_000 + 5_000, () -> "wall past its limit: " + r.toJson());
    }

    static final Set<OutcomeKind> A_LIMIT =
            Set.of(OutcomeKind.CPU_EXCEEDED, OutcomeKind.MEMORY_EXCEEDED, OutcomeKind.WALL_EXCEEDED);

    @Nested
    class Escapes {
        @Test
        void hostAndShellGlobalsAreAbsent() {
            JsonNode v = okValue(call(tool("""
                    const names = ["Java", "Packages", "Polyglot", "Graal", "load", "loadWithNewGlobal", "print",
                      "printErr", "quit", "exit", "readline", "read", "readbuffer", "java", "javax", "com", "org",
                      "process", "require", "module", "Deno", "Bun", "WebAssembly", "performance", "Worker",
                      "importScripts", "fetch", "XMLHttpRequest", "global"];
                    const present = names.filter((n) => typeof globalThis[n] !== "undefined");
                    return { present };""")));
            assertEquals(0, v.get("present").size(), v.toString());
        }

        @Test
        void staticImportOfAHostModuleDoesNotLoad() {
            CallResult r = runtime.run(Tools.module("""
                    import fs from "fs";
                    export const tool = { name: "x", description: "d", inputSchema: { type: "object" } };
                    export default () => fs.readFileSync("/etc/passwd", "utf8");"""), "{}");
            assertOutcome(OutcomeKind.INVALID_TOOL, r);
        }

        @Test
        void dynamicImportOfAFileIsRejected() {
            CallResult r = call(tool("const m = await import('/etc/passwd'); return String(m);"));
            assertOutcome(OutcomeKind.TOOL_ERROR, r);
        }

        @Test
        void requireIsUndefined() {
            CallResult r = call(tool("return require('child_process').execSync('id').toString();"));
            assertOutcome(OutcomeKind.TOOL_ERROR, r);
            assertTrue(r.outcome().message().contains("require"), r.outcome().message());
        }

        @Test
        void constructorWalkFromConsoleReachesOnlyTheGuestGlobal() {
            JsonNode v = okValue(call(tool("""
                    const g = console.log.constructor.constructor("return this")();
                    const viaEnv = env.constructor.constructor("return this")();
                    const viaArgs = args.__proto__.constructor.constructor("return this")();
                    return { same: g === globalThis && viaEnv === globalThis && viaArgs === globalThis,
                             java: typeof g.Java, polyglot: typeof g.Polyglot };""")));
            assertTrue(v.get("same").asBoolean());
            assertEquals("undefined", v.get("java").asText());
            assertEquals("undefined", v.get("polyglot").asText());
        }

        @Test
        void protoWalksOverTimersAndConsoleFindNoHostObjects() {
            JsonNode v = okValue(call(tool("""
                    const seen = [];
                    for (const root of [console, console.log, setTimeout, clearTimeout, env, args]) {
                      let o = root;
                      for (let i = 0; o != null && i < 10; i++) {
                        for (const k of Reflect.ownKeys(o)) {
                          let d; try { d = o[k]; } catch (e) { continue; }
                          if (d !== null && (typeof d === "object" || typeof d === "function")) {
                            try { if (typeof d.getClass === "function" || typeof d.class !== "undefined") seen.push(String(k)); } catch (e) {}
                          }
                        }
                        o = Object.getPrototypeOf(o);
                      }
                    }
                    return { seen };""")));
            assertEquals(0, v.get("seen").size(), v.toString());
        }

        @Test
        void stackTraceApiDoesNotLeakTheBootstrap() {
            JsonNode v = okValue(call(tool("""
                    const fns = [];
                    Error.prepareStackTrace = (e, frames) => {
                      for (const f of frames) { try { const fn = f.getFunction && f.getFunction(); if (fn) fns.push(String(fn).slice(0, 40)); } catch (x) {} }
                      return "";
                    };
                    console.log({ toJSON() { return new Error("probe").stack; } });
                    const leaked = fns.filter((s) => s.includes("hostLog") || s.includes("atollBootstrap"));
                    return { leaked };""")));
            assertEquals(0, v.get("leaked").size(), v.toString());
        }

        @Test
        void evalCannotReachJava() {
            CallResult r = call(tool("return eval('Java.type(\"java.lang.Runtime\").getRuntime().exec(\"id\")');"));
            assertOutcome(OutcomeKind.TOOL_ERROR, r);
        }

        @Test
        void polyglotEvalIsUnavailable() {
            CallResult r = call(tool("return Polyglot.eval('python', 'import os; os.system(\"id\")');"));
            assertOutcome(OutcomeKind.TOOL_ERROR, r);
        }

        @Test
        void atomicsWaitCannotBlockTheGuestThread() {
            CallResult r = call(tool("""
                    const i = new Int32Array(new SharedArrayBuffer(4));
                    return Atomics.wait(i, 0, 0, 60000);"""));
            assertTrue(
                    Set.of(OutcomeKind.TOOL_ERROR, OutcomeKind.WALL_EXCEEDED)
                            .contains(r.outcome().kind()),
                    r.toJson().toString());
            // Thrown at once or stopped by its wall limit, never blocked for the 60 s it asked for.
            assertTrue(
                    r.receipt().wall().compareTo(Duration.ofSeconds(20)) < 0,
                    r.toJson().toString());
        }

        @Test
        void topLevelThisIsUndefinedInTheModule() {
            CallResult r = runtime.run(Tools.module("""
                    const t = this;
                    export const tool = { name: "x", description: "d", inputSchema: { type: "object" } };
                    export default () => ({ t: typeof t });"""), "{}");
            assertEquals("undefined", okValue(r).get("t").asText());
        }
    }

    @Nested
    class Exhaustion {
        @Test
        void busyLoopEndsWithin20msOfItsCpuBudget() {
            CallResult r = call(tool("{ cpuMs: 100, wallMs: 5000 }", "for (;;) {}"));
            assertOutcome(OutcomeKind.CPU_EXCEEDED, r);
            long cpuMs = r.receipt().cpu().toMillis();
            assertTrue(cpuMs >= 100 && cpuMs <= 120, "cpu used: " + cpuMs + " ms for a 100 ms budget");
        }

        @Test
        void busyLoopInModuleTopLevelIsStoppedAtLoad() {
            InvalidToolException e = org.junit.jupiter.api.Assertions.assertThrows(
                    InvalidToolException.class, () -> runtime.load(Tools.module("""
                            for (;;) {}
                            export const tool = { name: "x", description: "d", inputSchema: { type: "object" } };
                            export default () => 1;""")));
            // Loading runs under fixed limits; which one stops the loop first depends on the machine's load
            // (the wall limit did at load average 31). Either way the load was refused and named why.
            assertTrue(e.getMessage().contains("CPU") || e.getMessage().contains("wall-time limit"), e.getMessage());
        }

        @Test
        void deepRecursionIsATypedErrorNotACrash() {
            CallResult r = call(tool("function f(n) { return f(n + 1) + 1; } return f(0);"));
            assertOutcome(OutcomeKind.TOOL_ERROR, r);
            assertTrue(r.outcome().message().contains("stack"), r.outcome().message());
        }

        @Test
        void arrayBomb() {
            CallResult r = call(tool(BOMB, "const a = []; for (;;) a.push({ i: a.length, s: 'x' + a.length });"));
            assertOutcome(OutcomeKind.MEMORY_EXCEEDED, r);
        }

        @Test
        void stringBombThatFlattens() {
            CallResult r = call(tool(
                    BOMB, "let s = 'ab'; for (let i = 0; i < 27; i++) { s += s; s.indexOf('c'); } return s.length;"));
            assertOutcome(OutcomeKind.MEMORY_EXCEEDED, r);
        }

        @Test
        void singleHugeStringIsRefusedUpFront() {
            CallResult r = call(tool("try { 'x'.repeat(2 ** 29); } catch (e) {} return 'survived';"));
            assertRefusedUpFront(r);
        }

        @Test
        void arrayBufferBomb() {
            CallResult r = call(tool(BOMB, "const a = []; for (;;) a.push(new ArrayBuffer(1 << 20));"));
            assertOutcome(OutcomeKind.MEMORY_EXCEEDED, r);
        }

        @Test
        void singleHugeTypedArrayIsRefusedEvenWhenCaught() {
            CallResult r = call(tool("""
                    try { new Float64Array(2 ** 28); } catch (e) {}
                    try { new (Uint8Array.prototype.constructor)({ length: 2 ** 30 }); } catch (e) {}
                    return 'survived';"""));
            assertRefusedUpFront(r);
        }

        @Test
        void rewrittenElementSizesDoNotShrinkTheGuard() {
            // The guarded constructors are proxies: a write to one lands on the original constructor.
            // ArrayBuffer's BYTES_PER_ELEMENT is the tool's to set; a typed array's is read-only. The
            // guard's element sizes are the host's, taken before the tool ran.
            CallResult r = call(tool("""
                    try { ArrayBuffer.BYTES_PER_ELEMENT = 1e-9; } catch (e) {}
                    try { SharedArrayBuffer.BYTES_PER_ELEMENT = 1e-9; } catch (e) {}
                    try { Object.defineProperty(Float64Array, 'BYTES_PER_ELEMENT', { value: 1e-9 }); } catch (e) {}
                    try { new ArrayBuffer(2 ** 30); } catch (e) {}
                    try { new Float64Array(2 ** 27); } catch (e) {}
                    return 'survived';"""));
            assertRefusedUpFront(r);
        }

        @Test
        void theBootstrapsGlobalsLookLikeBuiltins() {
            // What the bootstrap defines or replaces is writable, configurable and not enumerable, as
            // the builtins are: a tool enumerating globals or prototypes sees none of it.
            JsonNode v = okValue(call(tool("""
                    const d = (o, k) => { const x = Object.getOwnPropertyDescriptor(o, k);
                        return [typeof x.value, x.writable, x.enumerable, x.configurable].join(); };
                    return { keys: Object.keys(globalThis).concat(Object.keys(String.prototype)).join(),
                        console: d(globalThis, 'console'), setTimeout: d(globalThis, 'setTimeout'),
                        u8: d(globalThis, 'Uint8Array'), ctor: d(Uint8Array.prototype, 'constructor'),
                        repeat: d(String.prototype, 'repeat'), replace: d(RegExp.prototype, Symbol.replace),
                        same: Uint8Array.prototype.constructor === Uint8Array };""")));
            assertEquals("", v.get("keys").asText(), v.toString());
            for (String k : List.of("console", "setTimeout", "u8", "ctor", "repeat", "replace")) {
                String want = k.equals("console") ? "object,true,false,true" : "function,true,false,true";
                assertEquals(want, v.get(k).asText(), k + " in " + v);
            }
            assertTrue(v.get("same").asBoolean(), v.toString());
        }

        @Test
        void resizableBufferCannotGrowPastTheBudget() {
            CallResult r =
                    call(tool("const b = new ArrayBuffer(8, { maxByteLength: 2 ** 31 - 1 }); return b.byteLength;"));
            assertOutcome(OutcomeKind.MEMORY_EXCEEDED, r);
        }

        @Test
        void mapBomb() {
            CallResult r = call(tool(BOMB, "const m = new Map(); for (let i = 0; ; i++) m.set('k' + i, [i, i, i]);"));
            assertOutcome(OutcomeKind.MEMORY_EXCEEDED, r);
        }

        @Test
        void hugeReturnValue() {
            CallResult r = call(tool("{ cpuMs: 2000, memoryMb: 64, outputKb: 64 }", "return 'x'.repeat(1 << 20);"));
            assertOutcome(OutcomeKind.OUTPUT_TOO_LARGE, r);
        }

        @Test
        void hugeNestedReturnValue() {
            // Wall far above CPU: under a loaded machine 540 ms of CPU took 6 s of wall.
            CallResult r = call(tool(
                    "{ cpuMs: 2000, wallMs: 60000, memoryMb: 64, outputKb: 64 }",
                    "return Array.from({ length: 100000 }, (_, i) => ({ i }));"));
            assertOutcome(OutcomeKind.OUTPUT_TOO_LARGE, r);
        }

        @Test
        void consoleFloodIsBounded() {
            // The wall limit far above the CPU limit: on a loaded machine the flood still ends on what it tests.
            CallResult r = call(tool("{ cpuMs: 2000, wallMs: 60000 }", """
                    for (let i = 0; i < 100000; i++) console.log('spam ' + i);
                    console.error('x'.repeat(1 << 20));
                    return 'done';"""));
            assertEquals("done", okValue(r).asText());
            assertTrue(
                    r.logs().size() <= Limits.defaults().logEntries(),
                    "logs: " + r.logs().size());
            long chars = r.logs().stream().mapToLong(l -> l.message().length()).sum();
            assertTrue(chars <= Limits.defaults().logBytes() + 64, "log chars: " + chars);
            assertTrue(
                    r.receipt().droppedLogs() > 99000, "dropped: " + r.receipt().droppedLogs());
        }

        @Test
        void catastrophicBacktrackingRegexIsStopped() {
            CallResult r = call(tool("return /^(a+)+\\1$/.test('a'.repeat(40) + 'b');"));
            assertTrue(
                    Set.of(OutcomeKind.CPU_EXCEEDED, OutcomeKind.MEMORY_EXCEEDED)
                            .contains(r.outcome().kind()),
                    r.toJson().toString());
        }

        @Test
        void endlessMicrotasks() {
            // Each microtask allocates: CPU, allocation or (on a loaded machine) wall time trips first (#17).
            CallResult r = call(tool("function f() { Promise.resolve().then(f); } f(); await new Promise(() => {});"));
            assertStoppedWithinLimits(A_LIMIT, r);
        }

        @Test
        void promiseThatNeverSettlesEndsAtOnce() {
            CallResult r = call(tool("await new Promise(() => {}); return 1;"));
            assertOutcome(OutcomeKind.TOOL_ERROR, r);
            assertTrue(
                    r.outcome().message().contains("never settled"), r.outcome().message());
            // Ended when nothing could settle it, not at its 15 s wall limit.
            assertTrue(r.receipt().wall().toMillis() < 10_000, r.toJson().toString());
        }

        @Test
        void timerBeyondTheWallBudget() {
            CallResult r = call(tool("{ wallMs: 300 }", "await new Promise((r) => setTimeout(r, 1e9)); return 1;"));
            assertOutcome(OutcomeKind.WALL_EXCEEDED, r);
            // Stopped at its 300 ms limit (plus what a loaded machine adds), not when the timer fires.
            assertTrue(r.receipt().wall().toMillis() < 10_000, r.toJson().toString());
        }

        @Test
        void endlessTimerChain() {
            CallResult r = call(tool(
                    "{ cpuMs: 200, wallMs: 1000 }",
                    "function t() { setTimeout(t, 0); } t(); await new Promise(() => {});"));
            assertTrue(
                    Set.of(OutcomeKind.CPU_EXCEEDED, OutcomeKind.WALL_EXCEEDED)
                            .contains(r.outcome().kind()),
                    r.toJson().toString());
        }

        @Test
        void timerFloodIsRefused() {
            CallResult r = call(tool("for (;;) setTimeout(() => {}, 1000);"));
            assertOutcome(OutcomeKind.TOOL_ERROR, r);
            assertTrue(
                    r.outcome().message().contains("too many pending timers"),
                    r.outcome().message());
        }

        @Test
        void finalizationRegistryCallbacksAreBoundedToo() {
            CallResult r = call(tool("""
                    const reg = new FinalizationRegistry(() => { for (;;) {} });
                    for (let i = 0; i < 200000; i++) reg.register({ i }, i);
                    return 1;"""));
            assertTrue(
                    Set.of(OutcomeKind.OK, OutcomeKind.CPU_EXCEEDED)
                            .contains(r.outcome().kind()),
                    r.toJson().toString());
        }

        @Test
        void getterThatSpinsDuringSerialisation() {
            CallResult r = call(tool("return { get x() { for (;;) {} } };"));
            assertStoppedWithinLimits(Set.of(OutcomeKind.CPU_EXCEEDED, OutcomeKind.WALL_EXCEEDED), r);
        }

        @Test
        void thrownObjectThatSpinsWhenDescribed() {
            CallResult r = call(tool("throw { toJSON() { for (;;) {} }, toString() { for (;;) {} } };"));
            assertStoppedWithinLimits(Set.of(OutcomeKind.CPU_EXCEEDED, OutcomeKind.WALL_EXCEEDED), r);
        }

        @Test
        void hugeErrorMessageIsTruncated() {
            CallResult r = call(tool("{ memoryMb: 64 }", "throw new Error('y'.repeat(5000000));"));
            assertOutcome(OutcomeKind.TOOL_ERROR, r);
            assertTrue(
                    r.outcome().message().length() <= 4096,
                    "length " + r.outcome().message().length());
        }

        @Test
        void unserialisableResults() {
            assertOutcome(OutcomeKind.INVALID_OUTPUT, call(tool("return 10n;")));
            assertOutcome(OutcomeKind.INVALID_OUTPUT, call(tool("const a = {}; a.self = a; return a;")));
            assertOutcome(OutcomeKind.INVALID_OUTPUT, call(tool("return { toJSON() { throw new Error('no'); } };")));
        }

        @Test
        void loneSurrogatesInTheResultSurvive() {
            JsonNode v = okValue(call(tool("return { s: '\\ud800x\\udfff' };")));
            assertEquals("\ud800x\udfff", v.get("s").asText());
        }
    }

    @Nested
    class StateIsolation {
        @Test
        void globalsDoNotSurviveACall() {
            Tool t = runtime.load(tool("globalThis.count = (globalThis.count || 0) + 1; return globalThis.count;"));
            for (int i = 0; i < 5; i++) {
                assertEquals(1, okValue(runtime.call(t, NO_ARGS)).asInt());
            }
        }

        @Test
        void prototypePollutionDoesNotReachTheNextCall() {
            Tool polluter = runtime.load(tool("""
                    Object.prototype.polluted = 'yes'; Array.prototype.push = () => 0;
                    JSON.parse = () => ({ hacked: true }); return ({}).polluted;"""));
            Tool victim =
                    runtime.load(tool("const a = []; a.push(1); return { p: ({}).polluted ?? null, len: a.length };"));
            assertEquals("yes", okValue(runtime.call(polluter, NO_ARGS)).asText());
            JsonNode v = okValue(runtime.call(victim, NO_ARGS));
            assertTrue(v.get("p").isNull(), v.toString());
            assertEquals(1, v.get("len").asInt());
        }

        @Test
        void rewritingBuiltinsOnlyAffectsTheToolItself() {
            JsonNode v = okValue(runtime.call(runtime.load(Tools.module("""
                    JSON.stringify = () => '{"forged":true}';
                    Promise.prototype.then = function () { return this; };
                    export const tool = { name: "x", description: "d", inputSchema: { type: "object" } };
                    export default async () => ({ real: true });""")), NO_ARGS));
            assertTrue(v.get("real").asBoolean(), v.toString());
            assertFalse(v.has("forged"), v.toString());
        }

        @Test
        void pendingTimersDieWithTheContext() {
            Tool t = runtime.load(tool("""
                    setTimeout(() => { globalThis.late = 1; }, 50);
                    return typeof globalThis.late;"""));
            assertEquals("undefined", okValue(runtime.call(t, NO_ARGS)).asText());
            assertEquals("undefined", okValue(runtime.call(t, NO_ARGS)).asText());
        }
    }

    /** CPU time of every guest thread, by thread id. */
    static java.util.Map<Long, Long> guestCpu() {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        java.util.Map<Long, Long> cpu = new java.util.HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("atoll-guest-")) {
                cpu.put(t.threadId(), mx.getThreadCpuTime(t.threadId()));
            }
        }
        return cpu;
    }

    @Nested
    class Neighbours {
        @Test
        void busyLoopOnOneThreadDoesNotDelayASmallTool() throws Exception {
            // Wall far above CPU: on a loaded machine the spinner may get a small share of a core, and it
            // must still end by its CPU limit.
            // What shows that the small tool was not queued behind the spinner is the order of events:
            // every small call is answered while the spinner still runs. Their wall time is the machine's
            // business (2 s under a full suite plus other builds), so the small tool's wall limit is loose.
            Tool spinner = runtime.load(tool("{ cpuMs: 3000, wallMs: 90000 }", "for (;;) {}"));
            Tool small = runtime.load(tool("{ cpuMs: 50, wallMs: 20000 }", "return args.n * 2;"));
            ExecutorService ex = Executors.newSingleThreadExecutor();
            try {
                java.util.Map<Long, Long> before = guestCpu();
                CompletableFuture<CallResult> spinning =
                        CompletableFuture.supplyAsync(() -> runtime.call(spinner, NO_ARGS), ex);
                // Signal, not sleep: a guest thread has burnt 50 ms of CPU more than before (the spinner).
                org.awaitility.Awaitility.await()
                        .atMost(java.time.Duration.ofSeconds(30))
                        .until(() -> {
                            java.util.Map<Long, Long> now = guestCpu();
                            return now.entrySet().stream()
                                    .anyMatch(e -> e.getValue() - before.getOrDefault(e.getKey(), 0L) > 50_000_000L);
                        });
                List<CallResult> results = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    results.add(runtime.call(
                            small, JsonNodeFactory.instance.objectNode().put("n", i)));
                }
                for (int i = 0; i < results.size(); i++) {
                    assertEquals(i * 2, okValue(results.get(i)).asInt()); // ok: also within its 50 ms of CPU
                }
                assertFalse(spinning.isDone(), "the spinner should still be running while the small tool ran");
                assertOutcome(OutcomeKind.CPU_EXCEEDED, spinning.get());
            } finally {
                ex.shutdownNow();
            }
        }

        @Test
        void memoryBombNextToASmallTool() throws Exception {
            Tool bomb = runtime.load(tool(BOMB, "const a = []; for (;;) a.push(new Array(1000).fill(a.length));"));
            Tool small = runtime.load(tool("return 'fine';"));
            CompletableFuture<CallResult> b = CompletableFuture.supplyAsync(() -> runtime.call(bomb, NO_ARGS));
            for (int i = 0; i < 10; i++) {
                assertEquals("fine", okValue(runtime.call(small, NO_ARGS)).asText());
            }
            assertOutcome(OutcomeKind.MEMORY_EXCEEDED, b.get());
        }
    }
}

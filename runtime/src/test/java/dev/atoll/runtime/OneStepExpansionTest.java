package dev.atoll.runtime;

import static dev.atoll.runtime.Tools.tool;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Steps that can build far more than their inputs at once (issue #18 W7): each is attacked under
 * {@code memoryMb: 16} with the error caught, and must be refused before it allocates: the call ends
 * {@code memory_exceeded} (the bootstrap's guards) or the tool caught GraalJS's
 * {@code RangeError: Invalid string length} (the engine's string bound, 16 Mi characters by default),
 * having allocated far less than the 0.4-5 GB these steps allocate unbounded. Legitimate uses work.
 */
class OneStepExpansionTest {

    static ToolRuntime runtime;
    static final JsonNode NO_ARGS = JsonNodeFactory.instance.objectNode();
    static final String LIMITS = "{ cpuMs: 10000, wallMs: 30000, memoryMb: 16 }";
    /** Far below what the attacks allocate unbounded (0.4-5 GB, measured on GraalJS 25.0.3). */
    static final long FAR_BELOW = 256L * 1024 * 1024;

    @BeforeAll
    static void start() {
        runtime = ToolRuntime.builder().guestThreads(1).build();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    /** Bytes allocated so far by all threads of this JVM, live and ended. */
    static long jvmAllocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getTotalThreadAllocatedBytes();
    }

    static CallResult call(String body) {
        return runtime.call(runtime.load(tool(LIMITS, body)), NO_ARGS);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                // rope flattening: 28 doublings are 512 Mi characters in ~25 MB of rope; any use flattens it
                "let s = 'ab'; for (let i = 0; i < 28; i++) s += s; s.indexOf('z')",
                "let s = 'a\\u0100'; for (let i = 0; i < 28; i++) s = s + s; s.charCodeAt(5)",
                "let s = 'ab'; for (let i = 0; i < 28; i++) s = `${s}${s}`; /z/.test(s)",
                "let s = 'ab'; for (let i = 0; i < 28; i++) s += s; ({})[s] = 1",
                // replace/replaceAll: string and RegExp patterns, $-patterns, function replacers
                "const s = 'ab'.repeat(1 << 19); s.replaceAll('a', 'x'.repeat(1000))",
                "const s = 'ab'.repeat(1 << 19); s.replace(/a/g, 'x'.repeat(1000))",
                "const s = 'ab'.repeat(1 << 19); /a/g[Symbol.replace](s, 'x'.repeat(1000))",
                "const s = 'x'.repeat(1 << 16); s.replaceAll('x', \"$'$'\")",
                "const s = 'ab'.repeat(1 << 19); const r = 'x'.repeat(1000); s.replaceAll('a', () => r)",
                "const s = 'ab'.repeat(1 << 19); const r = 'x'.repeat(1000); s.replace(/a/g, () => r)",
                // join, concat, String.raw, JSON.stringify (bounded by the engine)
                "new Array(1 << 20).fill('x'.repeat(1000)).join('')",
                "String(new Array(1 << 20).fill('x'.repeat(1000)))",
                "new Array(1 << 24).join('x'.repeat(60))",
                "const x = 'x'.repeat(1 << 20); ''.concat(...new Array(1000).fill(x))",
                "const x = 'x'.repeat(1 << 20); const a = new Array(1000).fill(x); String.raw({ raw: a }, ...a)",
                "JSON.stringify(new Array(1000).fill('x'.repeat(1 << 20)))",
                "JSON.stringify('\\u0001'.repeat(1 << 22))",
                // normalization, case mapping, URI encoding
                "'\\ufdfa'.repeat(1 << 22).normalize('NFKD')",
                "encodeURIComponent('\\uffff'.repeat(1 << 22))",
                "escape('\\uffff'.repeat(1 << 22))",
                "'\\u00df'.repeat(1 << 22).toUpperCase()",
                // split into one string per character
                "let s = 'x'.repeat(1 << 20); for (let i = 0; i < 4; i++) s += s; s.split('')",
                // dense copies of sparse arrays, and concatenations of many copies
                "Array(2 ** 28).fill(0)",
                "new Array(2 ** 27).toReversed()",
                "new Array(2 ** 27).with(0, 1)",
                "const a = new Array(20000).fill(1); a.concat(...new Array(20000).fill(a))",
            })
    void refusedBeforeItAllocates(String attack) {
        long before = jvmAllocated();
        CallResult r = call("let caught = 'nothing'; try { " + attack + "; } catch (e) { caught = String(e); }"
                + " return caught;");
        // A step that is not refused runs on inside one builtin after its cancellation: its caller is
        // answered a second later with the allocation counted so far (the receipt), its thread written
        // off (and possibly ended). So the whole JVM's allocation is read once the guest has stopped
        // (JIT compiler threads add some: hence the looser bound).
        await().atMost(Duration.ofMinutes(3)).until(() -> runtime.abandonedThreads() == 0);
        long allocated = jvmAllocated() - before;
        assertTrue(allocated < 2 * FAR_BELOW, () -> attack + ": the JVM allocated " + allocated + ": " + r.toJson());
        boolean memory = r.outcome().kind() == OutcomeKind.MEMORY_EXCEEDED;
        boolean refusedByTheEngine = r.outcome().kind() == OutcomeKind.OK
                && ((Outcome.Ok) r.outcome()).value().asText().equals("RangeError: Invalid string length");
        assertTrue(memory || refusedByTheEngine, () -> attack + ": " + r.toJson());
        assertTrue(r.receipt().allocatedBytes() < FAR_BELOW, () -> attack + ": " + r.toJson());
    }

    @Test
    void consoleLogOfAValueLongerThanTheStringBoundIsBounded() {
        CallResult r = call("console.log(new Array(1000).fill('x'.repeat(1 << 20))); return 'logged';");
        assertEquals(OutcomeKind.OK, r.outcome().kind(), () -> r.toJson().toString());
        assertEquals(
                "[unprintable]", r.logs().get(0).message(), () -> r.toJson().toString());
        assertTrue(r.receipt().allocatedBytes() < FAR_BELOW, () -> r.toJson().toString());
    }

    @Test
    void aResultLongerThanTheStringBoundIsTooLarge() {
        CallResult r = runtime.call(
                runtime.load(tool(
                        "{ cpuMs: 10000, wallMs: 30000, memoryMb: 64, outputKb: 16384 }",
                        "return new Array(20).fill('x'.repeat(1 << 20));")),
                NO_ARGS);
        assertEquals(
                OutcomeKind.OUTPUT_TOO_LARGE,
                r.outcome().kind(),
                () -> r.toJson().toString());
        assertTrue(r.outcome().message().contains("16777216"), () -> r.toJson().toString());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                // loose bounds above 16 MiB: the guards count first, and the results fit
                "'a,b;'.repeat(100000).replace(/;/g, '<br/>'.repeat(4)).length === 2300000",
                "'a,b;'.repeat(100000).replaceAll(',', '$&$&').length === 500000",
                "'a,b;'.repeat(100000).replace(/(,)/g, '$1$1').length === 500000",
                "'ab,'.repeat(300000).split(',').length === 300001",
                "JSON.stringify(Array.from({ length: 30000 }, (_, i) => i)).length === 168891",
                "Array.from({ length: 50000 }, (_, i) => i % 10).join(',').length === 99999",
                "String(Array.from({ length: 50000 }, (_, i) => 'ab')).length === 149999",
                "(() => { let s = 'ab'; for (let i = 0; i < 22; i++) s += s; return s.indexOf('ba', 5) === 5 })()",
            })
    void largeLegitimateUsesFitTheBudget(String use) {
        CallResult r = call("return " + use + ";");
        assertEquals(OutcomeKind.OK, r.outcome().kind(), () -> use + ": " + r.toJson());
        assertTrue(((Outcome.Ok) r.outcome()).value().asBoolean(), () -> use + ": " + r.toJson());
    }

    @Test
    void legitimateUsesGiveTheSameResults() {
        CallResult r = call("""
                const rec = { b: 2, a: [1, 'x"y', { c: null }], d: undefined, t: { toJSON() { return 'T'; } } };
                const out = {
                  replaceAll: 'a-b-a'.replaceAll('a', '[$&]'),
                  replaceFn: 'a-b-a'.replace(/a/g, (m, off) => m + off),
                  replaceGroups: 'John Smith'.replace(/(\\w+)\\s(\\w+)/, '$2, $1'),
                  replaceNamed: '2026-12-06'.replace(/(?<y>\\d+)-(?<m>\\d+)-(?<d>\\d+)/, '$<d>.$<m>.$<y>'),
                  replaceDollar: 'x'.replace('x', '$$'),
                  sticky: (() => { const re = /a/y; re.lastIndex = 2; const s = 'aaa'.replace(re, 'b'); return s + re.lastIndex; })(),
                  join: [1, null, 'x', undefined, [2, 3]].join('-'),
                  toStr: String([1, [2, [3]]]),
                  typed: new Uint8Array([1, 2, 255]).join('|'),
                  concat: 'a'.concat(1, null, [2, 3]),
                  raw: String.raw`a${1}b${'c'}\\n`,
                  json: JSON.stringify(rec),
                  jsonIndent: JSON.stringify({ a: [1, { b: 2 }] }, null, 2),
                  normalize: '\\u0065\\u0301'.normalize('NFC').length,
                  upper: 'straße'.toUpperCase(),
                  uri: encodeURIComponent('a b/é'),
                  split: 'a,b,,c'.split(','),
                  splitLimit: 'a,b,c'.split(',', 2),
                  splitEmpty: 'abc'.split(''),
                  splitNone: 'abc'.split(),
                  splitRegExp: 'a1b22c'.split(/\\d+/),
                  fill: new Array(3).fill(7),
                  arrConcat: [1].concat([2], 3, [[4]]),
                  reversed: [1, 2, 3].toReversed(),
                };
                return out;""");
        assertEquals(OutcomeKind.OK, r.outcome().kind(), () -> r.toJson().toString());
        JsonNode v = ((Outcome.Ok) r.outcome()).value();
        assertEquals("[a]-b-[a]", v.get("replaceAll").asText());
        assertEquals("a0-b-a4", v.get("replaceFn").asText());
        assertEquals("Smith, John", v.get("replaceGroups").asText());
        assertEquals("06.12.2026", v.get("replaceNamed").asText());
        assertEquals("$", v.get("replaceDollar").asText());
        assertEquals("aab3", v.get("sticky").asText());
        assertEquals("1--x--2,3", v.get("join").asText());
        assertEquals("1,2,3", v.get("toStr").asText());
        assertEquals("1|2|255", v.get("typed").asText());
        assertEquals("a1null2,3", v.get("concat").asText());
        assertEquals("a1bc\\n", v.get("raw").asText());
        assertEquals(
                "{\"b\":2,\"a\":[1,\"x\\\"y\",{\"c\":null}],\"t\":\"T\"}",
                v.get("json").asText());
        assertEquals(
                "{\n  \"a\": [\n    1,\n    {\n      \"b\": 2\n    }\n  ]\n}",
                v.get("jsonIndent").asText());
        assertEquals(1, v.get("normalize").asInt());
        assertEquals("STRASSE", v.get("upper").asText());
        assertEquals("a%20b%2F%C3%A9", v.get("uri").asText());
        assertEquals("[\"a\",\"b\",\"\",\"c\"]", v.get("split").toString());
        assertEquals("[\"a\",\"b\"]", v.get("splitLimit").toString());
        assertEquals("[\"a\",\"b\",\"c\"]", v.get("splitEmpty").toString());
        assertEquals("[\"abc\"]", v.get("splitNone").toString());
        assertEquals("[\"a\",\"b\",\"c\"]", v.get("splitRegExp").toString());
        assertEquals("[7,7,7]", v.get("fill").toString());
        assertEquals("[1,2,3,[4]]", v.get("arrConcat").toString());
        assertEquals("[3,2,1]", v.get("reversed").toString());
    }
}

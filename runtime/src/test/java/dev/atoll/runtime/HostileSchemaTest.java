package dev.atoll.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue #18, W9: schemas from tool files are bounded at load. A schema that recursed without end made
 * every call fail with StackOverflowError (HTTP 500 in the gateway); a nested counted repetition in a
 * pattern made loading run for 18 s and end in OutOfMemoryError.
 */
class HostileSchemaTest {

    static ToolRuntime runtime;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() {
        runtime = ToolRuntime.builder().build();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    static ToolSource withSchema(String schema) {
        return ToolSource.js(
                "s.mjs",
                "export const tool = { name: 's', description: 'd', inputSchema: " + schema
                        + " };\nexport default async () => 'ran';\n");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{ type: 'object', '$ref': '#' }",
                "{ type: 'object', allOf: [{ '$ref': '#/$defs/a' }], '$defs': { a: { anyOf: [{ '$ref': '#' }] } } }",
                "{ type: 'object', not: { not: { '$ref': '#' } } }",
            })
    void aSchemaThatAppliesItselfToTheSameValueIsRefusedAtLoad(String schema) {
        InvalidToolException e = assertThrows(InvalidToolException.class, () -> runtime.load(withSchema(schema)));
        assertTrue(e.getMessage().contains("recurse without end"), e.getMessage());
    }

    @Test
    void aNestedCountedRepetitionIsRefusedAtLoadQuickly() {
        long start = System.nanoTime();
        InvalidToolException e = assertThrows(
                InvalidToolException.class,
                () -> runtime.load(
                        withSchema(
                                "{ type: 'object', properties: { a: { type: 'string', pattern: '((((a{100}){100}){100}){100})' } } }")));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10, "refused without compiling it");
    }

    @Test
    void remoteAndDynamicReferencesAreRefused() {
        for (String s : new String[] {
            "{ type: 'object', properties: { a: { '$ref': 'other.json#/x' } } }",
            "{ type: 'object', '$dynamicRef': '#meta' }",
            "{ type: 'object', properties: { a: { '$ref': '#/nowhere' } } }"
        }) {
            assertThrows(InvalidToolException.class, () -> runtime.load(withSchema(s)), s);
        }
    }

    @Test
    void aRecursiveSchemaThatDescendsStillWorks() throws Exception {
        Tool t = runtime.load(
                withSchema("{ type: 'object', properties: { name: { type: 'string', pattern: '^[a-z]{1,64}$' },"
                        + " children: { type: 'array', items: { '$ref': '#' } } }, additionalProperties: false }"));
        CallResult ok =
                runtime.call(t, JSON.readTree("{\"name\":\"a\",\"children\":[{\"name\":\"b\",\"children\":[]}]}"));
        assertTrue(ok.ok(), ok.toJson().toString());
        CallResult bad = runtime.call(t, JSON.readTree("{\"children\":[{\"name\":\"B\"}]}"));
        assertEquals(
                OutcomeKind.INVALID_ARGUMENTS,
                bad.outcome().kind(),
                bad.toJson().toString());
    }

    @Test
    void aSchemaDeeperThanTheBoundIsRefused() {
        String deep = "{ type: 'object' }";
        for (int i = 0; i < 70; i++) {
            deep = "{ type: 'object', properties: { a: " + deep + " } }";
        }
        String schema = deep;
        InvalidToolException e = assertThrows(InvalidToolException.class, () -> runtime.load(withSchema(schema)));
        assertTrue(e.getMessage().contains("deeper"), e.getMessage());
    }
}

package dev.atoll.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Python tool contract: the same manifest keys, outcomes, logs and receipts as JavaScript tools. */
class PythonToolsTest {

    static ToolRuntime runtime;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() {
        runtime = ToolRuntime.builder().guestThreads(2).build();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    static CallResult run(ToolSource source, String args) {
        return runtime.run(source, args);
    }

    static void assertOutcome(OutcomeKind expected, CallResult r) {
        assertEquals(expected, r.outcome().kind(), () -> r.toJson().toString());
    }

    static final String WORDS = """
            import re
            import logging

            TOOL = {
                'name': 'words',
                'description': 'Counts words',
                'inputSchema': {
                    'type': 'object',
                    'properties': {'text': {'type': 'string'}},
                    'required': ['text'],
                },
                'outputSchema': {'type': 'object', 'properties': {'count': {'type': 'integer'}}},
                'limits': {'cpuMs': 2000, 'wallMs': 60000},
            }

            def main(args, env):
                words = re.findall(r"\\w+", args['text'])
                print('counted', len(words), 'words')
                logging.warning('tool %s', env.tool['name'])
                return {'count': len(words), 'first': words[0] if words else None}
            """;

    @Test
    void runsAToolAndCapturesPrintAndLogging() {
        Tool tool = runtime.load(ToolSource.python("words.py", WORDS));
        assertEquals(Language.PYTHON, tool.source().language());
        assertEquals("words", tool.manifest().name());
        CallResult r = runtime.call(tool, JSON.createObjectNode().put("text", "héllo big world"));
        assertOutcome(OutcomeKind.OK, r);
        JsonNode v = ((Outcome.Ok) r.outcome()).value();
        assertEquals(3, v.get("count").asInt());
        assertEquals("héllo", v.get("first").asText());
        assertEquals(
                List.of("log:counted 3 words", "warn:tool words"),
                r.logs().stream()
                        .map(l -> l.level().name().toLowerCase(java.util.Locale.ROOT) + ":" + l.message())
                        .toList());
        assertTrue(r.receipt().cpu().toNanos() > 0);
    }

    @Test
    void pythonStartsOnlyWithTheFirstPythonTool() {
        try (ToolRuntime jsOnly = ToolRuntime.builder().guestThreads(1).build()) {
            CallResult r = jsOnly.run(Tools.tool("return 1;"), "{}");
            assertOutcome(OutcomeKind.OK, r);
            assertFalse(jsOnly.pythonStarted(), "a runtime without Python tools must not start GraalPy");
        }
        runtime.load(ToolSource.python("words.py", WORDS));
        assertTrue(runtime.pythonStarted());
    }

    @Test
    void argumentsAreValidatedBeforeTheCall() {
        Tool tool = runtime.load(ToolSource.python("words.py", WORDS));
        CallResult r = runtime.call(tool, JSON.createObjectNode().put("text", 42));
        assertOutcome(OutcomeKind.INVALID_ARGUMENTS, r);
    }

    @Test
    void outputSchemaIsEnforced() {
        CallResult r = run(
                ToolSource.python("words.py", WORDS.replace("'count': len(words)", "'count': 'many'")),
                "{\"text\": \"a b\"}");
        assertOutcome(OutcomeKind.INVALID_OUTPUT, r);
    }

    @Test
    void anExceptionIsAToolErrorWithFramesFromTheToolFile() {
        CallResult r = run(PyTools.module("""
                TOOL = {'name': 'e', 'description': 'd', 'inputSchema': {'type': 'object'}, 'limits': {'wallMs': 60000}}
                def helper(x):
                    raise ValueError('bad value ' + str(x))
                def main(args, env):
                    return helper(7)
                """), "{}");
        assertOutcome(OutcomeKind.TOOL_ERROR, r);
        Outcome.ToolError e = (Outcome.ToolError) r.outcome();
        assertEquals("ValueError: bad value 7", e.message());
        assertEquals(List.of("at main (hostile.py:5)", "at helper (hostile.py:3)"), e.stack());
    }

    @Test
    void asyncMainIsAwaited() {
        CallResult r = run(PyTools.module("""
                TOOL = {'name': 'a', 'description': 'd', 'inputSchema': {'type': 'object'},
                        'limits': {'wallMs': 60000}}
                async def twice(x):
                    return x * 2
                async def main(args, env):
                    return {'v': await twice(21)}
                """), "{}");
        assertOutcome(OutcomeKind.OK, r);
        assertEquals(42, ((Outcome.Ok) r.outcome()).value().get("v").asInt());
    }

    @Test
    void nonJsonResultsAreInvalidOutput() {
        assertOutcome(OutcomeKind.INVALID_OUTPUT, run(PyTools.tool("return {1, 2}"), "{}"));
        assertOutcome(OutcomeKind.INVALID_OUTPUT, run(PyTools.tool("return float('nan')"), "{}"));
        assertOutcome(OutcomeKind.INVALID_OUTPUT, run(PyTools.tool("return object()"), "{}"));
    }

    @Test
    void noneAndScalarsAreJson() {
        CallResult r = run(PyTools.tool("return None"), "{}");
        assertOutcome(OutcomeKind.OK, r);
        assertTrue(((Outcome.Ok) r.outcome()).value().isNull());
        CallResult s = run(PyTools.tool("return [1, 2.5, 'x', True, None]"), "{}");
        assertEquals(
                "[1,2.5,\"x\",true,null]", ((Outcome.Ok) s.outcome()).value().toString());
    }

    @Test
    void aHugeResultIsOutputTooLarge() {
        // CPU to spare: on a loaded machine converting the 5 MB result took 531 ms of CPU, past TIGHT's 500 ms.
        assertOutcome(
                OutcomeKind.OUTPUT_TOO_LARGE,
                run(
                        PyTools.tool(
                                "{'cpuMs': 5000, 'memoryMb': 32, 'wallMs': 60000}", "return 'x' * (5 * 1024 * 1024)"),
                        "{}"));
    }

    @Test
    void badToolFilesAreInvalidTools() {
        List<ToolSource> bad = List.of(
                PyTools.module("TOOL = {'name': 'x', 'description': 'd', 'inputSchema': {'type': 'object'}}\n"),
                PyTools.module("def main(args, env):\n    return 1\n"),
                PyTools.module("TOOL = {'name': 'x', 'description': 'd', 'inputSchema': {'type': 'object'}}\n"
                        + "def main(args, env)\n    return 1\n"),
                PyTools.module("TOOL = {'name': 'x', 'description': 'd', 'inputSchema': {'type': 'object'},"
                        + " 'colour': 'red'}\ndef main(args, env):\n    return 1\n"),
                PyTools.module("raise RuntimeError('at import')\n"),
                PyTools.module("TOOL = {'name': 'x', 'description': 'd', 'inputSchema': {'type': 'object'}}\n"
                        + "main = 3\n"));
        for (ToolSource s : bad) {
            InvalidToolException e = org.junit.jupiter.api.Assertions.assertThrows(
                    InvalidToolException.class, () -> runtime.load(s), s.code());
            assertFalse(e.getMessage().isBlank());
        }
    }

    @Test
    void secretsAndToolIdentityAreInEnv() {
        CallResult r = run(PyTools.module("""
                TOOL = {'name': 'sec', 'description': 'd', 'inputSchema': {'type': 'object'},
                        'limits': {'wallMs': 60000}, 'secrets': {'API_KEY': ['example.com']}}
                def main(args, env):
                    try:
                        env.secrets.OTHER
                        missing = 'no error'
                    except AttributeError as e:
                        missing = str(e)
                    return {'key': env.secrets['API_KEY'], 'name': env.tool['name'], 'fetch': hasattr(env, 'fetch'),
                            'attr': env.secrets.API_KEY, 'toolName': env.tool.name, 'missing': missing}
                """), "{}");
        assertOutcome(OutcomeKind.OK, r);
        JsonNode v = ((Outcome.Ok) r.outcome()).value();
        assertEquals("atoll-secret:API_KEY", v.get("key").asText());
        assertEquals("sec", v.get("name").asText());
        assertEquals("atoll-secret:API_KEY", v.get("attr").asText(), "the README's env.secrets.NAME works");
        assertEquals("sec", v.get("toolName").asText());
        assertEquals("OTHER is not declared", v.get("missing").asText());
        assertFalse(v.get("fetch").asBoolean(), "no fetch binding in this runtime");
    }

    @Test
    void pooledContextsServePythonCalls() {
        Tool tool = runtime.load(ToolSource.python("words.py", WORDS));
        try (WarmContext warm = runtime.prepare(tool)) {
            assertTrue(warm.ready());
            CallResult r = runtime.call(warm, JSON.createObjectNode().put("text", "one two"));
            assertOutcome(OutcomeKind.OK, r);
            assertEquals(2, ((Outcome.Ok) r.outcome()).value().get("count").asInt());
        }
    }

    @Test
    // The tools in this class are not about limits: a wall limit far above the default 5 s, which
    // counts the creation of each call's GraalPy context (6.5 s at load average 27).
    void stateDoesNotLeakBetweenCalls() {
        ToolSource s = PyTools.module("""
                import json
                TOOL = {'name': 's', 'description': 'd', 'inputSchema': {'type': 'object'},
                        'limits': {'wallMs': 60000}}
                counter = []
                def main(args, env):
                    counter.append(1)
                    json.dumps = None
                    return len(counter)
                """);
        Tool tool = runtime.load(s);
        for (int i = 0; i < 3; i++) {
            CallResult r = runtime.call(tool, JSON.createObjectNode());
            assertOutcome(OutcomeKind.OK, r);
            assertEquals(1, ((Outcome.Ok) r.outcome()).value().asInt());
        }
    }
}

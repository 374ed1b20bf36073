package dev.atoll.tools.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.Language;
import dev.atoll.runtime.Outcome;
import dev.atoll.runtime.OutcomeKind;
import dev.atoll.runtime.ToolSource;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Each Python example tool loads, answers its documented calls, and rejects bad arguments. */
class PythonExamplesTest extends ExampleToolFixture {

    @Test
    void bundledResourcesAreTheFilesInPython() throws Exception {
        for (ToolSource s : Examples.python()) {
            assertEquals(Language.PYTHON, s.language());
            assertEquals(Files.readString(Path.of("python", s.fileName())), s.code(), s.fileName());
            runtime.load(s);
        }
    }

    @Test
    void wordCount() throws Exception {
        JsonNode v = call("word_count.py", "{\"text\":\"The quick brown fox\\njumps\"}");
        assertEquals(5, v.get("words").asInt());
        assertEquals(2, v.get("lines").asInt());
        assertEquals(25, v.get("characters").asInt());
        assertEquals(0, call("word_count.py", "{\"text\":\"   \"}").get("words").asInt());
        assertEquals(
                OutcomeKind.INVALID_ARGUMENTS,
                run("word_count.py", "{\"txt\":\"x\"}").outcome().kind());
    }

    @Test
    void csvToJson() throws Exception {
        JsonNode v = call("csv_to_json.py", "{\"csv\":\"city,pop,area\\nOslo,709000,454.0\\nBergen,291000,465.3\\n\"}");
        assertEquals("[\"city\",\"pop\",\"area\"]", v.get("columns").toString());
        assertEquals("Oslo", v.get("records").get(0).get("city").asText());
        assertEquals(709000, v.get("records").get(0).get("pop").asInt());
        assertEquals(500000.0, v.get("summary").get("pop").get("mean").asDouble(), 1e-9);
        assertTrue(!v.get("summary").has("city"));
        CallResult limited = run("csv_to_json.py", "{\"csv\":\"a\\n1\\n2\\n3\",\"limit\":2}");
        assertEquals(2, ((Outcome.Ok) limited.outcome()).value().get("records").size());
        assertEquals("warn", limited.logs().get(0).level().name().toLowerCase(java.util.Locale.ROOT));
        CallResult ragged = run("csv_to_json.py", "{\"csv\":\"a,b\\n1\"}");
        assertEquals(OutcomeKind.TOOL_ERROR, ragged.outcome().kind());
        assertEquals(
                "ValueError: row 2 has 1 fields; the header has 2",
                ragged.outcome().message());
    }
}

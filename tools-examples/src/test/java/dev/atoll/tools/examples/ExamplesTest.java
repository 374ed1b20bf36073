package dev.atoll.tools.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.OutcomeKind;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolSource;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Each example tool loads, answers its documented calls, and rejects bad arguments. */
class ExamplesTest extends ExampleToolFixture {

    @Test
    void bundledResourcesAreTheFilesInJs() throws Exception {
        for (ToolSource s : Examples.all()) {
            assertEquals(Files.readString(Path.of("js", s.fileName())), s.code(), s.fileName());
            assertEquals(s.fileName().replace(".mjs", ""), runtime.load(s).name());
        }
    }

    @Test
    void wordCount() throws Exception {
        JsonNode v = call("word_count.mjs", "{\"text\":\"The quick brown fox\\njumps\"}");
        assertEquals(5, v.get("words").asInt());
        assertEquals(2, v.get("lines").asInt());
        assertEquals(25, v.get("characters").asInt());
        assertEquals(
                0, call("word_count.mjs", "{\"text\":\"   \"}").get("words").asInt());
    }

    @Test
    void jsonPointer() throws Exception {
        String doc = "{\"document\":{\"items\":[{\"name\":\"a/b\"},{\"m~n\":true}]},\"pointer\":";
        assertEquals(
                "a/b",
                call("json_pointer.mjs", doc + "\"/items/0/name\"}")
                        .get("value")
                        .asText());
        assertTrue(call("json_pointer.mjs", doc + "\"/items/1/m~0n\"}")
                .get("value")
                .asBoolean());
        assertEquals(
                false,
                call("json_pointer.mjs", doc + "\"/items/7\"}").get("found").asBoolean());
        assertEquals(
                false,
                call("json_pointer.mjs", doc + "\"/items/0/name/x\"}")
                        .get("found")
                        .asBoolean());
        assertEquals(true, call("json_pointer.mjs", doc + "\"\"}").get("found").asBoolean());
    }

    @Test
    void slugify() throws Exception {
        assertEquals(
                "creme-brulee-a-la-maison",
                call("slugify.mjs", "{\"text\":\"Crème brûlée à la maison!\"}")
                        .get("slug")
                        .asText());
        assertEquals(
                "hello_world",
                call("slugify.mjs", "{\"text\":\"Hello, World\",\"separator\":\"_\"}")
                        .get("slug")
                        .asText());
        assertEquals(
                "abc",
                call("slugify.mjs", "{\"text\":\"abc def\",\"maxLength\":5}")
                        .get("slug")
                        .asText());
    }

    @Test
    void badArgumentsAreRejectedBeforeTheToolRuns() throws Exception {
        Tool t = runtime.load(Examples.read("slugify.mjs"));
        CallResult r = runtime.call(t, JSON.readTree("{\"text\":\"x\",\"separator\":\"/\"}"));
        assertEquals(OutcomeKind.INVALID_ARGUMENTS, r.outcome().kind());
    }
}

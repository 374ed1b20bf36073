package dev.atoll.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code atoll run}/{@code info} through the real entry point, with real tool files on disk. */
class MainTest {

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
        JsonNode json() throws Exception {
            return new ObjectMapper().readTree(out);
        }
    }

    static Run atoll(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void runPrintsOneJsonObjectAndExitsZeroForOk() throws Exception {
        Run r = atoll("run", "../../tools-examples/js/word_count.mjs", "--args", "{\"text\":\"hello big world\"}");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.json();
        assertEquals("ok", j.get("outcome").asText());
        assertEquals(3, j.get("result").get("words").asInt());
        assertTrue(j.get("receipt").get("cpuMs").asDouble() > 0);
        assertTrue(r.err().startsWith("atoll: optimizing runtime"), r.err());
        assertEquals(1, r.out().strip().lines().count(), "one JSON object on one line");
    }

    @Test
    void otherOutcomesExitOneWithTheErrorAsJson() throws Exception {
        Path f = dir.resolve("boom.mjs");
        Files.writeString(f, """
                export const tool = { name: "boom", description: "d", inputSchema: { type: "object" } };
                export default function () { console.warn("about to fail"); throw new Error("kaput"); }
                """);
        Run r = atoll("run", f.toString());
        assertEquals(1, r.code());
        JsonNode j = r.json();
        assertEquals("tool_error", j.get("outcome").asText());
        assertEquals("Error: kaput", j.get("error").get("message").asText());
        assertTrue(j.get("error").get("stack").get(0).asText().contains("boom.mjs:2:"), j.toString());
        assertEquals("warn", j.get("logs").get(0).get("level").asText());
    }

    @Test
    void argsFromAFileAndInvalidArguments() throws Exception {
        Path args = dir.resolve("args.json");
        Files.writeString(args, "{\"text\": 7}");
        Run r = atoll("run", "../../tools-examples/js/word_count.mjs", "--args", "@" + args);
        assertEquals(1, r.code());
        assertEquals("invalid_arguments", r.json().get("outcome").asText());
        Run bad = atoll("run", "../../tools-examples/js/word_count.mjs", "--args", "{oops");
        assertEquals("invalid_arguments", bad.json().get("outcome").asText());
    }

    @Test
    void invalidToolIsAnOutcomeNotAStackTrace() throws Exception {
        Path f = dir.resolve("broken.mjs");
        Files.writeString(f, "export const tool = { name: ");
        Run r = atoll("run", f.toString());
        assertEquals(1, r.code());
        assertEquals("invalid_tool", r.json().get("outcome").asText());
        assertTrue(r.json().get("error").get("message").asText().contains("broken.mjs:"), r.out());
    }

    @Test
    void usageErrorsExitTwoWithAMessage() {
        Run none = atoll();
        assertEquals(2, none.code());
        assertTrue(none.err().contains("Usage: atoll"), none.err());
        Run missing = atoll("run", dir.resolve("nope.mjs").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no such file"), missing.err());
        Run ext = atoll("run", "pom.xml");
        assertEquals(2, ext.code());
        assertTrue(ext.err().contains("use .mjs or .js"), ext.err());
        assertEquals(2, atoll("run").code());
        assertEquals(2, atoll("run", "a.mjs", "--nope").code());
        assertEquals(2, atoll("frobnicate").code());
        assertEquals(0, atoll("help").code());
    }

    @Test
    void infoSaysWhichRuntimeIsActive() throws Exception {
        Run r = atoll("info");
        assertEquals(0, r.code());
        JsonNode j = r.json();
        assertTrue(j.get("optimizing").asBoolean(), r.out());
        assertEquals("25.0.3", j.get("graalVersion").asText());
        assertEquals(1000, j.get("defaultLimits").get("cpuMs").asInt());
    }
}

package dev.atoll.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-process mode: a real tool file in this JVM's runtime, a fresh context per call. */
class InProcessLoadTest {

    static final Path WORD_COUNT = Path.of("../../tools-examples/js/word_count.mjs");

    static final String FLAKY = """
            export const tool = {
              name: "flaky",
              description: "Fails when asked to",
              inputSchema: { type: "object", properties: { fail: { type: "boolean" } }, additionalProperties: false },
            };
            export default async function (args) {
              if (args.fail) throw new Error("asked to fail");
              return "fine";
            }
            """;

    @Test
    void coldStartsReportTheirPhases() {
        LoadTestReport r = LoadTest.builder()
                .inProcess(WORD_COUNT)
                .arguments(List.of("{\"text\":\"a b c\"}"))
                .closed(2, Duration.ofSeconds(30))
                .maxCalls(150)
                .build()
                .run();
        assertEquals(150, r.calls(), r.summary());
        assertEquals(150L, r.outcomes().get("ok"), r.summary());
        assertEquals("in-process", r.mode());
        assertEquals(
                List.of("prepare", "call", "close"),
                r.phases().stream().map(LoadTestReport.Phase::name).toList());
        assertTrue(r.phases().getFirst().mean() > 0, r.summary());
        assertTrue(r.latency().p50() > 0 && r.latency().max() >= r.latency().p99(), r.summary());
        assertTrue(r.summary().contains("phase prepare mean ms"), r.summary());
    }

    @Test
    void aToolThatFailsHalfItsCallsIsCountedRight(@TempDir Path dir) throws Exception {
        Path tool = Files.writeString(dir.resolve("flaky.mjs"), FLAKY);
        Path args = Files.writeString(dir.resolve("args.jsonl"), "{\"fail\":true}\n\n{\"fail\":false}\n");
        LoadTestReport r = LoadTest.builder()
                .inProcess(tool)
                .argumentsFile(args)
                .closed(3, Duration.ofSeconds(60))
                .maxCalls(100)
                .build()
                .run();
        assertEquals(100, r.calls(), r.summary());
        assertEquals(50L, r.outcomes().get("tool_error"), r.summary());
        assertEquals(50L, r.outcomes().get("ok"), r.summary());
        assertEquals(0.5, r.errorRate(), 1e-9);
    }

    @Test
    void pooledContextsTakePrepareOffTheCallPath() {
        LoadTestReport r = LoadTest.builder()
                .inProcess(WORD_COUNT)
                .arguments(List.of("{\"text\":\"a b\"}"))
                .pool(4)
                .closed(1, Duration.ofSeconds(30))
                .maxCalls(60)
                .build()
                .run();
        assertEquals(60L, r.outcomes().get("ok"), r.summary());
        assertTrue(r.mode().startsWith("in-process-pooled ("), r.mode());
    }
}

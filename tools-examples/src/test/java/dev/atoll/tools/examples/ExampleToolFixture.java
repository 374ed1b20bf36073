package dev.atoll.tools.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.Limits;
import dev.atoll.runtime.Outcome;
import dev.atoll.runtime.OutcomeKind;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolRuntime;
import dev.atoll.runtime.ToolSource;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** A runtime per test class and the calls the example tests make through it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ExampleToolFixture {
    static final ObjectMapper JSON = new ObjectMapper();
    ToolRuntime runtime;

    @BeforeAll
    void start() {
        Limits d = Limits.defaults(); // examples that declare no wall limit get this one (see run)
        runtime = ToolRuntime.builder()
                .defaults(new Limits(
                        d.cpu(),
                        Duration.ofMillis(TEST_WALL_MS),
                        d.memoryBytes(),
                        d.outputBytes(),
                        d.logBytes(),
                        d.logEntries()))
                .build();
    }

    @AfterAll
    void stop() {
        runtime.close();
    }

    /**
     * Loads a bundled example and calls it. The examples' wall limits (2-5 s) are sized for a serving
     * node; on a loaded test machine a call can wait longer for a core than it computes (a Python call
     * of 0.7 s of CPU took 5.4 s of wall at load average 20), so the tests, which check what the tools
     * answer, run them with a wall limit far above their CPU limit.
     */
    CallResult run(String file, String args) throws Exception {
        ToolSource s = Examples.read(file);
        String relaxed = WALL.matcher(s.code()).replaceAll("$1" + TEST_WALL_MS);
        Tool t = runtime.load(new ToolSource(s.language(), s.fileName(), relaxed));
        return runtime.call(t, JSON.readTree(args));
    }

    private static final java.util.regex.Pattern WALL = java.util.regex.Pattern.compile("(\"?wallMs\"?:\\s*)\\d+");
    private static final int TEST_WALL_MS = 60_000;

    /** Loads a bundled example, calls it and returns its value, asserting the call succeeded. */
    JsonNode call(String file, String args) throws Exception {
        CallResult r = run(file, args);
        assertEquals(OutcomeKind.OK, r.outcome().kind(), r.toJson().toString());
        return ((Outcome.Ok) r.outcome()).value();
    }
}

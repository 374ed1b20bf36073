package dev.atoll.tools.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.Outcome;
import dev.atoll.runtime.OutcomeKind;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolRuntime;
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
        runtime = ToolRuntime.builder().build();
    }

    @AfterAll
    void stop() {
        runtime.close();
    }

    /** Loads a bundled example and calls it. */
    CallResult run(String file, String args) throws Exception {
        Tool t = runtime.load(Examples.read(file));
        return runtime.call(t, JSON.readTree(args));
    }

    /** Loads a bundled example, calls it and returns its value, asserting the call succeeded. */
    JsonNode call(String file, String args) throws Exception {
        CallResult r = run(file, args);
        assertEquals(OutcomeKind.OK, r.outcome().kind(), r.toJson().toString());
        return ((Outcome.Ok) r.outcome()).value();
    }
}

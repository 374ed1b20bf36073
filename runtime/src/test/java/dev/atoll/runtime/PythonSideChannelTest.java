package dev.atoll.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #18, W8: what a Python tool could read about the shared JVM and the calls before it. One guest
 * thread serves every call here, as on a busy node: the first call burns CPU, the second reads the
 * CPU clocks, then the process and host facts.
 */
class PythonSideChannelTest {

    static ToolRuntime runtime;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() {
        runtime = ToolRuntime.builder().guestThreads(1).build();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    static JsonNode run(String body) {
        CallResult r = runtime.call(
                runtime.load(PyTools.tool("{'cpuMs': 5000, 'memoryMb': 64, 'wallMs': 60000}", body)),
                JSON.createObjectNode());
        assertEquals(OutcomeKind.OK, r.outcome().kind(), r.toJson().toString());
        return ((Outcome.Ok) r.outcome()).value();
    }

    @Test
    void cpuClocksShowOnlyTheCallsOwnTime() {
        // Burn at least 1.5 s of CPU on the shared guest thread.
        run("""
                import time
                start = time.thread_time()
                while time.thread_time() - start < 1.5:
                    pass
                return 1
                """);
        JsonNode v = run("""
                import time, os
                return {'thread': time.thread_time(), 'process': time.process_time(),
                        'clock': (time.clock_gettime(time.CLOCK_THREAD_CPUTIME_ID)
                                  if hasattr(time, 'CLOCK_THREAD_CPUTIME_ID') else 0.0),
                        'times': os.times().user if hasattr(os, 'times') else 0.0,
                        'reloaded': reloaded(time)}
                """.replace("import time, os\n", """
                import time, os, importlib
                def reloaded(module):
                    try:
                        return importlib.reload(module).thread_time()
                    except Exception:
                        return 0.0
                """));
        for (String clock : new String[] {"thread", "process", "clock", "times", "reloaded"}) {
            assertTrue(v.get(clock).asDouble() < 1.0, clock + " shows an earlier call's CPU: " + v);
        }
    }

    @Test
    void processAndHostFactsAreHidden() {
        JsonNode v = run("""
                import os, resource
                out = {'pid': os.getpid(), 'release': os.uname().release}
                for name, f in (('loadavg', os.getloadavg), ('rusage', lambda: resource.getrusage(resource.RUSAGE_SELF))):
                    try:
                        f()
                        out[name] = 'visible'
                    except OSError as e:
                        out[name] = 'hidden'
                return out
                """);
        assertNotEquals(ProcessHandle.current().pid(), v.get("pid").asLong(), v.toString());
        assertNotEquals(System.getProperty("os.version"), v.get("release").asText(), v.toString());
        assertEquals("hidden", v.get("loadavg").asText(), v.toString());
        assertEquals("hidden", v.get("rusage").asText(), v.toString());
    }
}

package dev.atoll.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Memory bombs whose own limits are larger than the whole heap, several at once, in a child JVM with a
 * 384 MiB heap that exits on OutOfMemoryError: every bomb must end as memory_exceeded (the heap guard
 * cancels the biggest allocator after a GC leaves the heap full) and the JVM must keep serving.
 */
class HeapGuardTest {

    @Test
    void heapGuardStopsBombsThatEachStayWithinTheirOwnLimits() throws Exception {
        runChild("-Xmx384m", "3", "js");
    }

    /** The same for Python tools (GraalPy ignores statement limits; only Atoll's enforcement stops them). */
    @Test
    void heapGuardStopsPythonBombsToo() throws Exception {
        runChild("-Xmx512m", "3", "python");
    }

    private static void runChild(String heap, String calls, String language) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String testClasses = Path.of(HeapGuardChild.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString();
        List<String> cmd = new ArrayList<>(List.of(
                java,
                heap,
                "-XX:+ExitOnOutOfMemoryError",
                "-Xss4m",
                "--sun-misc-unsafe-memory-access=allow",
                "--enable-native-access=org.graalvm.truffle,dev.atoll.runtime,ALL-UNNAMED",
                "--module-path",
                System.getProperty("jdk.module.path"),
                "--patch-module",
                "dev.atoll.runtime=" + testClasses,
                "--add-reads",
                "dev.atoll.runtime=ALL-UNNAMED",
                "-m",
                "dev.atoll.runtime/dev.atoll.runtime.HeapGuardChild",
                calls,
                language));
        Path log = Files.createTempFile("heap-guard", ".log");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean done = p.waitFor(180, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly().waitFor();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        assertTrue(done, "the child JVM did not finish: " + out);
        assertEquals(0, p.exitValue(), out);
        assertFalse(out.contains("OutOfMemoryError"), out);
        List<String> outcomes = out.lines().filter(l -> l.matches("[a-z_]+")).toList();
        assertEquals(List.of("memory_exceeded", "memory_exceeded", "memory_exceeded", "ok"), outcomes, out);
    }
}

package dev.atoll.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #19's heap claim: one step of a guest is bounded before it allocates, so every guest thread
 * taking its worst one-step expansions at once fits the heap. A child JVM with the launcher's heap
 * flags ({@code ./atoll}: G1, no {@code -Xmx}, i.e. the JVM's default heap) and the runtime's default
 * configuration (4 guest threads per core, at least 8; memory maximum 512 MiB) runs one such call per
 * guest thread at once; it exits on any {@code OutOfMemoryError}. It must survive, every call must end
 * {@code ok} (each step refused or bounded) or {@code memory_exceeded}, and a benign call must succeed.
 */
class OneStepHeapTest {

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES) // 8 calls of seconds each on a loaded 2-core machine
    void everyGuestThreadsWorstStepAtOnceFitsTheDefaultHeap() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String testClasses = Path.of(OneStepHeapChild.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString();
        List<String> cmd = List.of(
                java,
                "-XX:+UseG1GC",
                "-Xss4m",
                "-XX:+ExitOnOutOfMemoryError",
                "--sun-misc-unsafe-memory-access=allow",
                "--enable-native-access=org.graalvm.truffle,ALL-UNNAMED",
                "-Dpolyglot.engine.WarnInterpreterOnly=false",
                "--module-path",
                System.getProperty("jdk.module.path"),
                "--patch-module",
                "dev.atoll.runtime=" + testClasses,
                "--add-reads",
                "dev.atoll.runtime=ALL-UNNAMED",
                "-m",
                "dev.atoll.runtime/dev.atoll.runtime.OneStepHeapChild");
        Path log = Files.createTempFile("one-step-heap", ".log");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean done = p.waitFor(420, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly().waitFor();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        assertTrue(done, "the child JVM did not finish: " + out);
        assertEquals(0, p.exitValue(), out);
        assertFalse(out.contains("OutOfMemoryError"), out);
        List<String> calls = out.lines().filter(l -> l.startsWith("call ")).toList();
        assertTrue(calls.size() >= 8, out);
        for (String c : calls) {
            String kind = c.split(" ")[1];
            assertTrue(Set.of("ok", "memory_exceeded").contains(kind), out);
        }
        assertTrue(out.lines().anyMatch(l -> l.equals("benign ok")), out);
    }
}

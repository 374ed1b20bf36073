package dev.atoll.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A read-only deployment: GraalPy's resources pre-extracted into a directory that is then made
 * read-only, and a child JVM whose home directory is empty runs a Python tool from it. Nothing may be
 * written, neither into the resource directory nor into a cache under the home directory.
 */
class PythonResourcesTest {

    @Test
    void pythonRunsFromAReadOnlyPreExtractedResourceDirectory() throws Exception {
        Path root = Files.createTempDirectory("atoll-pyres");
        Path resources = root.resolve("resources");
        Path home = Files.createDirectories(root.resolve("home"));
        PythonResources.extract(resources);
        assertTrue(Files.isDirectory(resources.resolve("python")));
        List<Path> all;
        try (Stream<Path> s = Files.walk(resources)) {
            all = s.toList();
        }
        for (Path p : all.reversed()) {
            Files.setPosixFilePermissions(
                    p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "r-xr-xr-x" : "r--r--r--"));
        }
        String before = digest(resources);

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String testClasses = Path.of(PythonResourcesChild.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString();
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Xss4m",
                "-Duser.home=" + home,
                "--sun-misc-unsafe-memory-access=allow",
                "--enable-native-access=org.graalvm.truffle,dev.atoll.runtime,ALL-UNNAMED",
                "-Dpolyglot.engine.WarnInterpreterOnly=false",
                "--module-path",
                System.getProperty("jdk.module.path"),
                "--patch-module",
                "dev.atoll.runtime=" + testClasses,
                "--add-reads",
                "dev.atoll.runtime=ALL-UNNAMED",
                "-m",
                "dev.atoll.runtime/dev.atoll.runtime.PythonResourcesChild",
                resources.toString()));
        Path log = Files.createTempFile("py-resources", ".log");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .directory(home.toFile())
                .start();
        boolean done = p.waitFor(240, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly().waitFor();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        assertTrue(done, "the child JVM did not finish: " + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.lines().anyMatch("ok"::equals), out);
        assertTrue(out.contains("{\\\"n\\\": 3}"), out);
        try (Stream<Path> s = Files.list(home)) {
            assertEquals(List.of(), s.toList(), "nothing written under the home directory (no extraction cache)");
        }
        assertEquals(before, digest(resources), "the resource directory was modified");
        assertFalse(Files.exists(home.resolve(".cache")));
        try (Stream<Path> s = Files.walk(root)) {
            for (Path q : s.toList()) {
                q.toFile().setWritable(true);
            }
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
        }
    }

    private static String digest(Path dir) throws IOException, java.security.NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted().toList()) {
                sha.update(dir.relativize(p).toString().getBytes(StandardCharsets.UTF_8));
                if (Files.isRegularFile(p)) {
                    sha.update(Files.readAllBytes(p));
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}

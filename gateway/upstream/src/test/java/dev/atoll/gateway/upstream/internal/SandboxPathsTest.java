package dev.atoll.gateway.upstream.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atoll.gateway.registry.VolumeMount;
import dev.atoll.gateway.upstream.testing.UpstreamTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Which host paths under /tmp the bubblewrap sandbox binds back for a command, and which it never does. */
class SandboxPathsTest {

    /** Directories made directly under /tmp (the case under test), deleted after the tests. */
    private static final List<Path> MADE = new java.util.concurrent.CopyOnWriteArrayList<>();

    @AfterAll
    static void deleteMade() {
        MADE.forEach(UpstreamTestSupport::deleteTree);
    }

    private static Path underTmp(String prefix) throws java.io.IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), prefix);
        MADE.add(dir);
        return dir;
    }

    @Test
    void bindsTheTopDirectoryUnderTmpHoldingTheCommandsFilesAndNothingElse() throws Exception {
        Path project = underTmp("atoll-paths");
        Path script = Files.createDirectories(project.resolve("a/b")).resolve("server.mjs");
        Files.writeString(script, "");
        Path state = Path.of("/var/lib/atoll/upstreams/state/x");
        assertEquals(
                List.of(project),
                SandboxPaths.hiddenCommandPaths(
                        List.of(
                                "/usr/bin/node",
                                script.toString(),
                                "/tmp/does-not-exist/x.js",
                                "--flag",
                                "relative/x.js"),
                        List.of(),
                        state));
    }

    @Test
    void neverBindsADirectoryHoldingTheGatewaysDataOrAVolume() throws Exception {
        Path data = underTmp("atoll-data");
        Path scripts = Files.createDirectories(data.resolve("scripts"));
        Path script = Files.writeString(scripts.resolve("server.mjs"), "");
        Path state = data.resolve("upstreams/state/x");
        // /tmp/atoll-dataN holds the data dir: only the script's own directory is bound.
        assertEquals(List.of(scripts), SandboxPaths.hiddenCommandPaths(List.of(script.toString()), List.of(), state));
        // A script in the state root itself is not bound at all.
        Path inState = Files.writeString(Files.createDirectories(state).resolve("s.mjs"), "");
        assertEquals(List.of(), SandboxPaths.hiddenCommandPaths(List.of(inState.toString()), List.of(), state));
        // A volume's path is the volume's.
        Path other = underTmp("atoll-vol");
        Path f = Files.writeString(other.resolve("f.mjs"), "");
        assertEquals(
                List.of(),
                SandboxPaths.hiddenCommandPaths(
                        List.of(f.toString()),
                        List.of(new VolumeMount("v", other.resolve("sub").toString())),
                        state));
    }
}

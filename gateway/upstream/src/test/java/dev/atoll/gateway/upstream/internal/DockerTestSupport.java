package dev.atoll.gateway.upstream.internal;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.atoll.gateway.registry.SandboxKind;
import dev.atoll.gateway.registry.UpstreamLimits;
import dev.atoll.gateway.registry.UpstreamSpec;
import dev.atoll.gateway.registry.VolumeMount;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The real Docker engine and the test image for the Docker tests (see scripts/test.sh). */
final class DockerTestSupport {
    static final String MEMORY_SERVER = "/opt/mcp/node_modules/@modelcontextprotocol/server-memory/dist/index.js";
    static final String EVERYTHING_SERVER =
            "/opt/mcp/node_modules/@modelcontextprotocol/server-everything/dist/index.js";

    private static String image;

    private DockerTestSupport() {}

    /** A launcher for the default engine; skips the test, saying why, when none answers. */
    static DockerLauncher launcherOrSkip() {
        DockerLauncher launcher = DockerLauncher.create(DockerLauncher.DEFAULT_HOST);
        Optional<String> reason = launcher.unavailableReason();
        assumeTrue(
                reason.isEmpty(),
                () -> "Docker tests skipped: " + reason.orElse("")
                        + " (scripts/test.sh starts dockerd; run it once, or start dockerd yourself)");
        return launcher;
    }

    /** The test image: $ATOLL_TEST_IMAGE, or built (idempotently) by scripts/docker-image.sh. */
    static synchronized String image() throws IOException, InterruptedException {
        if (image != null) {
            return image;
        }
        String env = System.getenv("ATOLL_TEST_IMAGE");
        if (env != null && !env.isBlank()) {
            return image = env.strip();
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("scripts/docker-image.sh"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException(
                    "scripts/docker-image.sh not found above " + Path.of("").toAbsolutePath());
        }
        Process p = new ProcessBuilder(dir.resolve("scripts/docker-image.sh").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) {
            throw new IllegalStateException("scripts/docker-image.sh failed (exit " + p.exitValue() + ")");
        }
        return image = out.lines().reduce((a, b) -> b).orElseThrow();
    }

    static UpstreamSpec spec(
            String name,
            List<String> command,
            Map<String, String> env,
            List<String> allowHosts,
            List<VolumeMount> volumes,
            UpstreamLimits limits)
            throws IOException, InterruptedException {
        return new UpstreamSpec(
                name, SandboxKind.DOCKER, Optional.of(image()), command, env, allowHosts, volumes, limits);
    }
}

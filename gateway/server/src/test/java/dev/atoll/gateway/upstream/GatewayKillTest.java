package dev.atoll.gateway.upstream;

import static dev.atoll.gateway.upstream.testing.UpstreamTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.registry.SandboxKind;
import dev.atoll.gateway.registry.UpstreamLimits;
import dev.atoll.gateway.registry.UpstreamSpec;
import dev.atoll.gateway.testing.ChildJvm;
import dev.atoll.gateway.testing.UpstreamGateway;
import dev.atoll.gateway.upstream.internal.BubblewrapLauncher;
import dev.atoll.gateway.upstream.spi.LaunchRequest;
import dev.atoll.gateway.upstream.spi.SandboxProcess;
import dev.atoll.gateway.upstream.testing.UpstreamTestSupport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** "Dies with the gateway": a real gateway JVM killed with SIGKILL leaves no sandbox behind. */
class GatewayKillTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    @BeforeAll
    static void needsBwrap() {
        UpstreamTestSupport.assumeBwrap();
    }

    @Test
    void killNineOfTheGatewayLeavesNoSandboxAndTheNextStartCleansUp() throws Exception {
        Path data = Files.createTempDirectory(scratch, "atoll-kill");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process gw = new ProcessBuilder(
                        java,
                        "--sun-misc-unsafe-memory-access=allow",
                        ChildJvm.NO_WARM_UP,
                        "-cp",
                        ChildJvm.classPath(),
                        KillableGatewayMain.class.getName(),
                        data.toString())
                .redirectErrorStream(true)
                .start();
        long bwrap;
        List<Long> sandboxed = new ArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(gw.getInputStream(), StandardCharsets.UTF_8));
            String[] ready = null;
            for (int i = 0; i < 500 && ready == null; i++) {
                String line = out.readLine();
                if (line == null) {
                    throw new AssertionError("the gateway JVM exited before READY");
                }
                if (line.startsWith("READY ")) {
                    ready = line.split(" ");
                }
            }
            Thread.ofPlatform().daemon().start(() -> out.lines().forEach(l -> {}));
            String url = ready[1];
            String token = ready[2];
            JsonNode add = UpstreamTestSupport.admin(
                    url,
                    token,
                    "POST",
                    "/v1/upstreams",
                    Map.of(
                            "name",
                            "victim",
                            "command",
                            List.of(UpstreamTestSupport.node(), UpstreamTestSupport.hostileServer())));
            assertEquals(201, add.path("status").asInt(), add.toString());
            await("victim to run", Duration.ofSeconds(60), () -> {
                try {
                    return UpstreamTestSupport.admin(url, token, "GET", "/v1/upstreams/victim", null)
                            .path("body")
                            .path("status")
                            .path("state")
                            .asText()
                            .equals("running");
                } catch (Exception e) {
                    return false;
                }
            });
            String p = UpstreamTestSupport.admin(url, token, "GET", "/v1/upstreams/victim", null)
                    .path("body")
                    .path("status")
                    .path("process")
                    .asText();
            bwrap = Long.parseLong(p.replaceAll("\\D+", ""));
            ProcessHandle.of(bwrap).orElseThrow().descendants().forEach(h -> sandboxed.add(h.pid()));
            assertTrue(sandboxed.size() >= 1, "bwrap has the server under it");
            // The registration is committed and checkpointed (docs/registry.md, "Durability"): it is
            // in the file, so the next start knows the upstream.
        } finally {
            gw.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
            gw.waitFor();
        }
        sandboxed.add(0, bwrap);
        await(
                "every sandbox process to die with the gateway",
                Duration.ofSeconds(10),
                () -> sandboxed.stream()
                        .noneMatch(pid -> ProcessHandle.of(pid)
                                .map(ProcessHandle::isAlive)
                                .orElse(false)));
        Path run = data.resolve("upstreams/run/bwrap");
        assertEquals(1, pidFiles(run).size(), "the killed gateway left its pid file behind");

        String old = pidFiles(run).getFirst();
        try (UpstreamGateway next = new UpstreamGateway(data, Map.of())) {
            try {
                await(
                        "the next start to clean the leftover pid file",
                        Duration.ofSeconds(30),
                        () -> !pidFiles(run).contains(old) && "running".equals(next.state("victim")));
            } catch (AssertionError | org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError(
                        e.getMessage() + "; pid files " + pidFiles(run) + ", upstream " + next.upstream("victim"), e);
            }
        }
    }

    private static List<String> pidFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> out = new ArrayList<>();
            for (Path f : s.filter(x -> x.toString().endsWith(".pid")).toList()) {
                out.add(Files.readString(f));
            }
            return out;
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    @Test
    void reapOrphansKillsASandboxThatAnEarlierRunLeftRunning() throws Exception {
        Path runDir = Files.createTempDirectory(scratch, "atoll-reap");
        BubblewrapLauncher earlier = BubblewrapLauncher.create(runDir);
        UpstreamSpec spec = new UpstreamSpec(
                "sleeper",
                SandboxKind.BUBBLEWRAP,
                Optional.empty(),
                List.of("/bin/sh", "-c", "sleep 300 & sleep 300"),
                Map.of(),
                List.of(),
                List.of(),
                UpstreamLimits.DEFAULT);
        SandboxProcess p = earlier.launch(
                new LaunchRequest(spec, "sleeper-1", "owner1", runDir.resolve("state"), Optional.empty()));
        long pid = Long.parseLong(p.describe().replaceAll("\\D+", ""));
        await(
                "the sleepers to start",
                Duration.ofSeconds(10),
                () -> ProcessHandle.of(pid)
                        .map(h -> h.descendants().count() >= 2)
                        .orElse(false));
        List<ProcessHandle> all = new ArrayList<>(
                ProcessHandle.of(pid).orElseThrow().descendants().toList());
        // A second launcher on the same run dir is the next gateway start: it did not start sleeper-1.
        BubblewrapLauncher next = BubblewrapLauncher.create(runDir);
        assertEquals(0, next.reapOrphans("another-owner"), "another owner's sandboxes are left alone");
        assertTrue(p.isAlive());
        assertEquals(1, next.reapOrphans("owner1"));
        await(
                "the orphan and its children to be gone",
                Duration.ofSeconds(10),
                () -> !p.isAlive() && all.stream().noneMatch(ProcessHandle::isAlive));
        assertFalse(Files.exists(runDir.resolve("sleeper-1.pid")));
        earlier.close();
        next.close();
    }
}

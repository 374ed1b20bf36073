package dev.atoll.gateway.upstream.internal;

import static dev.atoll.gateway.upstream.internal.DockerTestSupport.MEMORY_SERVER;
import static dev.atoll.gateway.upstream.internal.DockerTestSupport.spec;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import dev.atoll.gateway.registry.UpstreamLimits;
import dev.atoll.gateway.registry.VolumeMount;
import dev.atoll.gateway.upstream.spi.LaunchRequest;
import dev.atoll.gateway.upstream.spi.SandboxProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DockerLauncher} against the real dockerd that scripts/test.sh starts, with the test image. */
class DockerLauncherTest {
    private static final Duration T = Duration.ofSeconds(30);
    private static final String OWNER =
            "test-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());

    private static DockerLauncher launcher;
    private static final List<SandboxProcess> started = new ArrayList<>();

    @TempDir
    Path state;

    @BeforeAll
    static void engine() {
        launcher = DockerTestSupport.launcherOrSkip();
    }

    @AfterAll
    static void cleanUp() {
        if (launcher == null) {
            return;
        }
        started.forEach(p -> p.stop(Duration.ZERO));
        DockerLauncher.create(DockerLauncher.DEFAULT_HOST).reapOrphans(OWNER);
        var volumes = launcher.client()
                .listVolumesCmd()
                .withFilter("label", List.of(DockerLauncher.LABEL_OWNER + "=" + OWNER))
                .exec()
                .getVolumes();
        if (volumes != null) {
            volumes.forEach(v -> launcher.client().removeVolumeCmd(v.getName()).exec());
        }
    }

    private SandboxProcess launch(
            String name,
            List<String> command,
            Map<String, String> env,
            List<VolumeMount> volumes,
            UpstreamLimits limits)
            throws Exception {
        return launch(launcher, name, command, env, volumes, limits);
    }

    private SandboxProcess launch(
            DockerLauncher with,
            String name,
            List<String> command,
            Map<String, String> env,
            List<VolumeMount> volumes,
            UpstreamLimits limits)
            throws Exception {
        String instance = name + "-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        SandboxProcess p = with.launch(new LaunchRequest(
                spec(name, command, env, List.of(), volumes, limits), instance, OWNER, state, Optional.empty()));
        synchronized (started) {
            started.add(p);
        }
        return p;
    }

    @Test
    void memoryServerSpeaksMcpAndKeepsItsGraphInTheNamedVolumeAcrossRestarts() throws Exception {
        List<VolumeMount> volumes = List.of(new VolumeMount("memory", "/data"));
        Map<String, String> env = Map.of("MEMORY_FILE_PATH", "/data/memory.jsonl");
        SandboxProcess first = launch("mem", List.of("node", MEMORY_SERVER), env, volumes, UpstreamLimits.DEFAULT);
        StdioPeer peer = new StdioPeer(first);
        JsonNode init = peer.initialize(T);
        assertEquals("memory-server", init.at("/result/serverInfo/name").asText(), init.toString());
        JsonNode tools = peer.request("tools/list", StdioPeer.JSON.createObjectNode(), T);
        List<String> names = new ArrayList<>();
        tools.at("/result/tools").forEach(t -> names.add(t.path("name").asText()));
        assertTrue(names.contains("create_entities") && names.contains("read_graph"), names.toString());
        JsonNode created = peer.callTool("create_entities", """
                {"entities":[{"name":"atoll-docker","entityType":"test","observations":["survives restarts"]}]}""", T);
        assertFalse(created.at("/result/isError").asBoolean(false), created.toString());
        first.stop(Duration.ofSeconds(5));
        assertFalse(first.isAlive());

        SandboxProcess second = launch("mem", List.of("node", MEMORY_SERVER), env, volumes, UpstreamLimits.DEFAULT);
        StdioPeer peer2 = new StdioPeer(second);
        peer2.initialize(T);
        JsonNode graph = peer2.callTool("read_graph", "{}", T);
        assertTrue(graph.toString().contains("survives restarts"), graph.toString());
        second.stop(Duration.ofSeconds(5));
    }

    @Test
    void stopEndsTheServerWithinTheGraceAndRemovesTheContainer() throws Exception {
        SandboxProcess p = launch(
                "stop",
                List.of("node", MEMORY_SERVER),
                Map.of("MEMORY_FILE_PATH", "/tmp/m.jsonl"),
                List.of(),
                UpstreamLimits.DEFAULT);
        new StdioPeer(p).initialize(T);
        String id = containerIdOf(p);
        assertTrue(launcher.client().inspectContainerCmd(id).exec().getState().getRunning());
        long t0 = System.nanoTime();
        p.stop(Duration.ofSeconds(10));
        // SIGTERM ends the Node server at once, well before the grace period (it was not killed).
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(9), "stop waited for the whole grace period");
        assertTrue(p.onExit().isDone());
        assertTrue(
                p.onExit().get() != 137,
                "the server was killed, not stopped: " + p.onExit().get());
        assertThrows(
                NotFoundException.class,
                () -> launcher.client().inspectContainerCmd(id).exec());
        p.stop(Duration.ZERO); // idempotent
    }

    @Test
    void theContainerHasNoNetworkEvenToTheHostsLoopback() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicInteger accepted = new AtomicInteger();
            server.setSoTimeout(200);
            Thread acceptor = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 100 && !server.isClosed(); i++) {
                    try (Socket s = server.accept()) {
                        accepted.incrementAndGet();
                    } catch (SocketTimeoutException e) {
                        // keep listening
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            int port = server.getLocalPort();
            String script = "const net=require('net');let n=0;for(const h of ['127.0.0.1','10.0.0.1','1.1.1.1']){"
                    + "const s=net.connect({host:h,port:" + port + ",timeout:3000});"
                    + "s.on('connect',()=>{console.log(h+' connected');s.destroy();if(++n===3)process.exit(0)});"
                    + "s.on('timeout',()=>{console.log(h+' timeout');s.destroy();if(++n===3)process.exit(0)});"
                    + "s.on('error',e=>{console.log(h+' '+e.code);if(++n===3)process.exit(0)})}";
            SandboxProcess p =
                    launch("net", List.of("node", "-e", script), Map.of(), List.of(), UpstreamLimits.DEFAULT);
            List<String> lines = new StdioPeer(p).linesUntilEof(T);
            assertEquals(3, lines.size(), lines.toString());
            // Inside its own empty network namespace 127.0.0.1 is the container's loopback, where nobody
            // listens; every other address has no route.
            assertTrue(lines.contains("127.0.0.1 ECONNREFUSED"), lines.toString());
            assertTrue(lines.contains("10.0.0.1 ENETUNREACH"), lines.toString());
            assertTrue(lines.contains("1.1.1.1 ENETUNREACH"), lines.toString());
            p.stop(Duration.ZERO);
            server.close();
            acceptor.join(Duration.ofSeconds(5));
            assertEquals(0, accepted.get(), "the host's listener saw a connection from the container");
        }
    }

    @Test
    void rootIsReadOnlyTmpIsWritableAndCapabilitiesAreGone() throws Exception {
        String script = "echo x > /usr/x 2>/dev/null && echo usr-written || echo usr-refused;"
                + " echo y > /tmp/y && echo tmp-written;"
                + " echo z > /etc/passwd 2>/dev/null && echo passwd-written || echo passwd-refused;"
                + " while read -r l; do case $l in CapEff:*|NoNewPrivs:*) echo $l;; esac; done < /proc/self/status";
        SandboxProcess p = launch("ro", List.of("/bin/sh", "-c", script), Map.of(), List.of(), UpstreamLimits.DEFAULT);
        List<String> lines = new StdioPeer(p).linesUntilEof(T);
        assertTrue(lines.contains("usr-refused"), lines.toString());
        assertTrue(lines.contains("tmp-written"), lines.toString());
        assertTrue(lines.contains("passwd-refused"), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches("CapEff:\\s+0+")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches("NoNewPrivs:\\s+1")), lines.toString());
        assertEquals(0, p.onExit().get(10, TimeUnit.SECONDS));
        p.stop(Duration.ZERO);
    }

    @Test
    void aForkBombHitsThePidLimitAndTheHostIsFine() throws Exception {
        UpstreamLimits limits = new UpstreamLimits(128L << 20, 0.5, 32);
        SandboxProcess p = launch(
                "forkbomb", List.of("/bin/sh", "-c", "(b() { b | b & }; b); read x"), Map.of(), List.of(), limits);
        String id = containerIdOf(p);
        // Wherever the engine put it (cgroup v1 pids/docker/<id>, v2 system.slice/docker-<id>.scope, ...):
        // the group of the container's init process, as the kernel reports it.
        long pid = launcher.client().inspectContainerCmd(id).exec().getState().getPidLong();
        Path cgroup = Cgroups.groupOf(pid, "pids")
                .orElseThrow(() -> new AssertionError("no pids cgroup for pid " + pid + " of container " + id));
        assertTrue(Files.exists(cgroup.resolve("pids.max")), () -> "no pids controller at " + cgroup);
        long[] forks = {0, 0};
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    forks[0] = Long.parseLong(Files.readString(cgroup.resolve("pids.events"))
                            .strip()
                            .split("\\s+")[1]);
                    forks[1] = Long.parseLong(
                            Files.readString(cgroup.resolve("pids.current")).strip());
                    assertTrue(forks[1] <= 32, "pids.current " + forks[1] + " above the limit");
                    return forks[0] > 0;
                });
        assertEquals("32", Files.readString(cgroup.resolve("pids.max")).strip());
        p.stop(Duration.ZERO);
        assertThrows(
                NotFoundException.class,
                () -> launcher.client().inspectContainerCmd(id).exec());
        // The host still forks.
        Process echo = new ProcessBuilder("true").start();
        assertTrue(echo.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, echo.exitValue());
    }

    @Test
    void anAllocationBombIsKilledAtTheMemoryLimit() throws Exception {
        UpstreamLimits limits = new UpstreamLimits(64L << 20, 1.0, 64);
        SandboxProcess p = launch(
                "membomb",
                List.of(
                        "node",
                        "-e",
                        "const a=[];for(let i=0;i<4096;i++){a.push(Buffer.alloc(1<<20,1));}console.log('survived')"),
                Map.of(),
                List.of(),
                limits);
        String id = containerIdOf(p);
        StdioPeer peer = new StdioPeer(p);
        int code = p.onExit().get(60, TimeUnit.SECONDS);
        assertEquals(137, code, "exit code; stdout " + peer.linesUntilEof(Duration.ofSeconds(1)));
        assertTrue(launcher.client().inspectContainerCmd(id).exec().getState().getOOMKilled());
        p.stop(Duration.ZERO);
    }

    @Test
    void reapOrphansRemovesWhatAPreviousRunLeftAndKeepsItsOwn() throws Exception {
        DockerLauncher previousRun = DockerLauncher.create(DockerLauncher.DEFAULT_HOST);
        String script = "read x";
        SandboxProcess leftOver = previousRun.launch(new LaunchRequest(
                spec("left", List.of("/bin/sh", "-c", script), Map.of(), List.of(), List.of(), UpstreamLimits.DEFAULT),
                "left-" + System.nanoTime(),
                OWNER,
                state,
                Optional.empty()));
        SandboxProcess mine =
                launch("mine", List.of("/bin/sh", "-c", script), Map.of(), List.of(), UpstreamLimits.DEFAULT);
        String leftId = containerIdOf(leftOver);
        String mineId = containerIdOf(mine);
        // Another owner's container is not touched either.
        String otherOwner = OWNER + "-other";
        SandboxProcess other = previousRun.launch(new LaunchRequest(
                spec("other", List.of("/bin/sh", "-c", script), Map.of(), List.of(), List.of(), UpstreamLimits.DEFAULT),
                "other-" + System.nanoTime(),
                otherOwner,
                state,
                Optional.empty()));
        try {
            assertEquals(1, launcher.reapOrphans(OWNER));
            assertThrows(
                    NotFoundException.class,
                    () -> launcher.client().inspectContainerCmd(leftId).exec());
            assertTrue(launcher.client()
                    .inspectContainerCmd(mineId)
                    .exec()
                    .getState()
                    .getRunning());
            assertTrue(leftOver.onExit().get(10, TimeUnit.SECONDS) != 0 || !leftOver.isAlive());
            assertEquals(0, launcher.reapOrphans(OWNER));
        } finally {
            other.stop(Duration.ZERO);
            mine.stop(Duration.ZERO);
        }
    }

    @Test
    void aMissingImageAndAMissingEngineGiveClearMessages() throws Exception {
        var spec = new dev.atoll.gateway.registry.UpstreamSpec(
                "noimg",
                dev.atoll.gateway.registry.SandboxKind.DOCKER,
                Optional.of("atoll-no-such-image:0"),
                List.of("true"),
                Map.of(),
                List.of(),
                List.of(),
                UpstreamLimits.DEFAULT);
        IOException e = assertThrows(
                IOException.class,
                () -> launcher.launch(new LaunchRequest(spec, "noimg-1", OWNER, state, Optional.empty())));
        assertTrue(
                e.getMessage().contains("atoll-no-such-image:0")
                        && e.getMessage().contains("never pulls"),
                e.getMessage());
        DockerLauncher nowhere = DockerLauncher.create(URI.create("unix://" + state.resolve("no.sock")));
        assertTrue(nowhere.unavailableReason().orElseThrow().contains("does not exist"));
        assertThrows(IllegalArgumentException.class, () -> DockerLauncher.create(URI.create("http://x")));
    }

    private static String containerIdOf(SandboxProcess p) {
        String name = p.describe().replaceAll("^docker container (\\S+) .*$", "$1");
        List<Container> found = launcher.client()
                .listContainersCmd()
                .withShowAll(true)
                .withNameFilter(List.of(name))
                .exec();
        assertEquals(1, found.size(), "containers named " + name);
        return found.getFirst().getId();
    }
}

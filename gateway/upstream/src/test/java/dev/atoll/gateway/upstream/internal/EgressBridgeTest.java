package dev.atoll.gateway.upstream.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.atoll.gateway.dlp.DlpEgressInspector;
import dev.atoll.gateway.dlp.DlpEngine;
import dev.atoll.host.bindings.EgressPolicy;
import io.helidon.webserver.WebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EgressBridge} in a real network namespace of our own (bubblewrap, {@code --unshare-all}), with
 * the host's socat and the pinned Node: the only way out is the proxy's socket.
 */
class EgressBridgeTest {
    @TempDir
    Path dir;

    @Test
    void theWrappedCommandKeepsItsArgumentsVerbatim() {
        EgressBridge bridge = new EgressBridge(Path.of("/srv/atoll/egress/demo/proxy.sock"));
        List<String> wrapped = bridge.wrap("/bin/sh", "socat", List.of("node", "-e", "console.log('a \"b\" $c')"));
        assertEquals(List.of("node", "-e", "console.log('a \"b\" $c')"), wrapped.subList(5, 8));
        assertEquals("/run/atoll-egress/proxy.sock", wrapped.get(4));
        assertEquals(Path.of("/srv/atoll/egress/demo"), bridge.hostDirectory());
        assertEquals("http://127.0.0.1:3128", bridge.environment().get("HTTPS_PROXY"));
        assertThrows(IllegalArgumentException.class, () -> new EgressBridge(Path.of("relative.sock")));
        assertThrows(IllegalArgumentException.class, () -> new EgressBridge(Path.of("/tmp/a,b:c.sock")));
    }

    @Test
    void aServerInItsOwnNetworkNamespaceReachesAnAllowedHostOnlyThroughTheBridge() throws Exception {
        Path bwrap = Path.of("/usr/bin/bwrap");
        Path socat = Path.of("/usr/bin/socat");
        assumeTrue(
                Files.isExecutable(bwrap) && Files.isExecutable(socat),
                "bubblewrap and socat are installed by scripts/test.sh");
        Path node = nodeBinary();
        AtomicInteger hits = new AtomicInteger();
        WebServer target = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(r -> r.any("/*", (req, res) -> {
                    hits.incrementAndGet();
                    res.send("through the bridge");
                }))
                .build()
                .start();
        List<EgressProxy.EgressEvent> events = new CopyOnWriteArrayList<>();
        Path socket = dir.resolve("egress/bridge.sock");
        EgressPolicy policy = EgressPolicy.builder()
                .allowHttp(true)
                .httpPorts(target.port())
                .allowAddress("127.0.0.1")
                .build();
        Map<String, String> names = Map.of("api.allowed.test", "127.0.0.1");
        try (EgressProxy proxy = EgressProxy.start(
                "bridge",
                socket,
                List.of("api.allowed.test"),
                policy,
                host -> {
                    String a = names.get(host);
                    if (a == null) {
                        throw new UnknownHostException(host);
                    }
                    return List.of(InetAddress.getByName(a));
                },
                DlpEgressInspector.create(DlpEngine.create(), "tenant-a", r -> {}),
                events::add)) {
            EgressBridge bridge = new EgressBridge(proxy.socket());
            String script = "setTimeout(async () => {"
                    + " try { const r = await fetch('http://api.allowed.test:" + target.port() + "/x');"
                    + "   console.log('proxied ' + r.status + ' ' + await r.text()); }"
                    + " catch (e) { console.log('proxied error ' + (e.cause ? e.cause.code : e.message)); }"
                    + " const s = require('net').connect(" + target.port() + ", '127.0.0.1');"
                    + " s.on('connect', () => { console.log('direct connected'); s.destroy(); });"
                    + " s.on('error', e => console.log('direct ' + e.code)); }, 300)";
            List<String> cmd = new ArrayList<>(List.of(
                    bwrap.toString(),
                    "--unshare-all",
                    "--die-with-parent",
                    "--ro-bind",
                    "/",
                    "/",
                    "--dev",
                    "/dev",
                    "--proc",
                    "/proc",
                    "--tmpfs",
                    "/tmp",
                    "--tmpfs",
                    "/run",
                    "--ro-bind",
                    bridge.hostDirectory().toString(),
                    EgressBridge.SANDBOX_DIR,
                    "--clearenv",
                    "--setenv",
                    "PATH",
                    "/usr/bin:/bin"));
            // As the launcher does: Node under a checkout in /tmp must stay visible past the private /tmp.
            SandboxPaths.hiddenCommandPaths(List.of(node.toString()), List.of(), dir.resolve("state"))
                    .forEach(h -> cmd.addAll(List.of("--ro-bind", h.toString(), h.toString())));
            bridge.environment().forEach((k, v) -> {
                cmd.add("--setenv");
                cmd.add(k);
                cmd.add(v);
            });
            cmd.add("--");
            cmd.addAll(bridge.wrap("/bin/sh", socat.toString(), List.of(node.toString(), "-e", script)));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the sandbox did not finish");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(out.contains("proxied 200 through the bridge"), out + "\nevents: " + events);
            assertTrue(out.contains("direct ECONNREFUSED"), out);
            assertEquals(1, hits.get(), out);
            assertTrue(events.stream().anyMatch(e -> e.outcome().equals("allowed")), events.toString());
        } finally {
            target.stop();
        }
    }

    @Test
    void theBubblewrapLauncherBridgesAnUpstreamThatAllowsHostsAndRefusesOneWithoutAProxy() throws Exception {
        dev.atoll.gateway.upstream.testing.UpstreamTestSupport.assumeBwrap();
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/socat")), "socat is installed by scripts/test.sh");
        Path node = nodeBinary();
        AtomicInteger hits = new AtomicInteger();
        WebServer target = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(r -> r.any("/*", (req, res) -> {
                    hits.incrementAndGet();
                    res.send("bwrap bridge ok");
                }))
                .build()
                .start();
        List<EgressProxy.EgressEvent> events = new CopyOnWriteArrayList<>();
        EgressPolicy policy = EgressPolicy.builder()
                .allowHttp(true)
                .httpPorts(target.port())
                .allowAddress("127.0.0.1")
                .build();
        String script = "setTimeout(async () => {"
                + " try { const r = await fetch('http://api.allowed.test:" + target.port() + "/b');"
                + "   console.log('proxied ' + r.status + ' ' + await r.text()); }"
                + " catch (e) { console.log('proxied error ' + (e.cause ? e.cause.code : e.message)); }"
                + " try { const r = await fetch('http://elsewhere.test:" + target.port() + "/b');"
                + "   console.log('elsewhere ' + r.status); }"
                + " catch (e) { console.log('elsewhere refused'); } }, 300)";
        var spec = new dev.atoll.gateway.registry.UpstreamSpec(
                "bridged",
                dev.atoll.gateway.registry.SandboxKind.BUBBLEWRAP,
                java.util.Optional.empty(),
                List.of(node.toString(), "-e", script),
                Map.of(),
                List.of("api.allowed.test"),
                List.of(),
                dev.atoll.gateway.registry.UpstreamLimits.DEFAULT);
        BubblewrapLauncher launcher = BubblewrapLauncher.create(dir.resolve("run"));
        try (EgressProxy proxy = EgressProxy.start(
                "bridged",
                dir.resolve("egress/bridged/proxy.sock"),
                List.of("api.allowed.test"),
                policy,
                host -> host.equals("api.allowed.test") || host.equals("elsewhere.test")
                        ? List.of(InetAddress.getByName("127.0.0.1"))
                        : List.of(),
                DlpEgressInspector.create(DlpEngine.create(), "tenant-a", r -> {}),
                events::add)) {
            IOException noProxy = org.junit.jupiter.api.Assertions.assertThrows(
                    IOException.class,
                    () -> launcher.launch(new dev.atoll.gateway.upstream.spi.LaunchRequest(
                            spec, "bridged-0", "bridge-test", dir.resolve("state"), java.util.Optional.empty())));
            assertTrue(noProxy.getMessage().contains("no egress proxy"), noProxy.getMessage());

            var p = launcher.launch(new dev.atoll.gateway.upstream.spi.LaunchRequest(
                    spec, "bridged-1", "bridge-test", dir.resolve("state"), java.util.Optional.of(proxy.socket())));
            StdioPeer peer = new StdioPeer(p);
            List<String> lines = peer.linesUntilEof(java.time.Duration.ofSeconds(60));
            String all = lines + "\nstderr: " + peer.stderr() + "\nevents: " + events;
            assertTrue(lines.contains("proxied 200 bwrap bridge ok"), all);
            assertTrue(lines.contains("elsewhere refused") || lines.contains("elsewhere 403"), all);
            assertEquals(1, hits.get(), all);
            assertTrue(
                    events.stream()
                            .anyMatch(e ->
                                    e.outcome().equals("denied") && e.target().contains("elsewhere")),
                    all);
            p.stop(java.time.Duration.ofSeconds(2));
        } finally {
            launcher.close();
            target.stop();
        }
    }

    private static Path nodeBinary() throws IOException {
        Path d = Path.of("").toAbsolutePath();
        while (d != null && !Files.exists(d.resolve("scripts/node/node_modules/.bin/node"))) {
            d = d.getParent();
        }
        assumeTrue(d != null, "scripts/node is installed by scripts/test.sh (npm ci)");
        return d.resolve("scripts/node/node_modules/.bin/node").toRealPath();
    }
}

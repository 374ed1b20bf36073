package dev.atoll.gateway.upstream.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.gateway.dlp.DlpEgressInspector;
import dev.atoll.gateway.dlp.DlpEngine;
import dev.atoll.gateway.registry.UpstreamLimits;
import dev.atoll.gateway.upstream.spi.LaunchRequest;
import dev.atoll.gateway.upstream.spi.SandboxProcess;
import dev.atoll.host.bindings.EgressPolicy;
import io.helidon.webserver.WebServer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server in a Docker container with no network reaches an allowed host only through the gateway's
 * egress proxy (Unix socket, bridged into the container by socat), and nothing else.
 */
class DockerEgressEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void aSandboxedServerReachesAnAllowedHostOnlyThroughTheProxy() throws Exception {
        DockerLauncher launcher = DockerTestSupport.launcherOrSkip();
        AtomicInteger allowedHits = new AtomicInteger();
        AtomicInteger otherHits = new AtomicInteger();
        WebServer allowed = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(r -> r.any("/*", (req, res) -> {
                    allowedHits.incrementAndGet();
                    res.send("allowed-answer");
                }))
                .build()
                .start();
        WebServer other = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(r -> r.any("/*", (req, res) -> {
                    otherHits.incrementAndGet();
                    res.send("other-answer");
                }))
                .build()
                .start();
        List<EgressProxy.EgressEvent> events = new CopyOnWriteArrayList<>();
        Map<String, String> names = Map.of("api.allowed.test", "127.0.0.1", "other.test", "127.0.0.1");
        EgressPolicy policy = EgressPolicy.builder()
                .allowHttp(true)
                .httpPorts(allowed.port(), other.port())
                .httpsPorts(allowed.port(), other.port())
                .allowAddress("127.0.0.1")
                .build();
        Path socket = dir.resolve("egress-e2e/proxy.sock");
        String owner =
                "test-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        try (EgressProxy proxy = EgressProxy.start(
                "e2e",
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
            String script = """
                    const net = require('net');
                    async function get(u) {
                      try { const r = await fetch(u); console.log(u + ' -> ' + r.status + ' ' + await r.text()); }
                      catch (e) { console.log(u + ' -> error ' + ((e.cause && (e.cause.code || e.cause.message)) || e.message)); }
                    }
                    (async () => {
                      await get('http://api.allowed.test:%d/data');
                      await get('http://other.test:%d/data');
                      const s = net.connect({ host: '127.0.0.1', port: %d });
                      await new Promise(done => { s.on('connect', () => { console.log('direct connected'); done(); });
                        s.on('error', e => { console.log('direct ' + e.code); done(); }); });
                      s.destroy();
                    })();
                    """.formatted(allowed.port(), other.port(), allowed.port());
            var spec = DockerTestSupport.spec(
                    "e2e",
                    List.of("node", "-e", script),
                    Map.of(),
                    List.of("api.allowed.test"),
                    List.of(),
                    UpstreamLimits.DEFAULT);
            SandboxProcess p = launcher.launch(
                    new LaunchRequest(spec, "e2e-" + owner.substring(5), owner, dir, Optional.of(socket)));
            try {
                StdioPeer peer = new StdioPeer(p);
                List<String> lines = peer.linesUntilEof(Duration.ofSeconds(60));
                String all = lines + "\nstderr: " + peer.stderr() + "\nevents: " + events;
                assertEquals(3, lines.size(), all);
                assertEquals(
                        "http://api.allowed.test:" + allowed.port() + "/data -> 200 allowed-answer", lines.get(0), all);
                assertTrue(lines.get(1).startsWith("http://other.test:" + other.port() + "/data -> "), all);
                assertTrue(!lines.get(1).contains("other-answer"), all);
                // Not through the proxy: the container's own loopback, where nothing listens.
                assertEquals("direct ECONNREFUSED", lines.get(2), all);
                assertEquals(1, allowedHits.get(), all);
                assertEquals(0, otherHits.get(), all);
                assertTrue(
                        events.stream()
                                .anyMatch(e -> e.outcome().equals("allowed")
                                        && e.target().contains("api.allowed.test")),
                        all);
                assertTrue(
                        events.stream()
                                .anyMatch(e -> e.outcome().equals("denied")
                                        && e.target().contains("other.test")),
                        all);
            } finally {
                p.stop(Duration.ZERO);
            }
        } finally {
            allowed.stop();
            other.stop();
        }
    }
}

package dev.atoll.gateway.upstream.internal;

import static dev.atoll.gateway.upstream.internal.DockerTestSupport.EVERYTHING_SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
 * The real {@code @modelcontextprotocol/server-everything} in a container: several content types,
 * progress notifications, errors, and its URL-fetching tool going out through the egress proxy.
 */
class DockerEverythingServerTest {
    private static final Duration T = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void everythingServerContentProgressErrorsAndEgress() throws Exception {
        DockerLauncher launcher = DockerTestSupport.launcherOrSkip();
        AtomicInteger allowedHits = new AtomicInteger();
        AtomicInteger otherHits = new AtomicInteger();
        WebServer allowed = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(r -> r.any("/*", (req, res) -> {
                    allowedHits.incrementAndGet();
                    res.send("file content served to the sandbox");
                }))
                .build()
                .start();
        WebServer other = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(r -> r.any("/*", (req, res) -> {
                    otherHits.incrementAndGet();
                    res.send("never");
                }))
                .build()
                .start();
        Map<String, String> names = Map.of("files.allowed.test", "127.0.0.1", "other.test", "127.0.0.1");
        EgressPolicy policy = EgressPolicy.builder()
                .allowHttp(true)
                .httpPorts(allowed.port(), other.port())
                .httpsPorts(allowed.port(), other.port())
                .allowAddress("127.0.0.1")
                .build();
        List<EgressProxy.EgressEvent> events = new CopyOnWriteArrayList<>();
        Path socket = dir.resolve("egress/everything.sock");
        String owner =
                "test-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        try (EgressProxy proxy = EgressProxy.start(
                "everything",
                socket,
                List.of("files.allowed.test"),
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
            var spec = DockerTestSupport.spec(
                    "everything",
                    List.of("node", EVERYTHING_SERVER, "stdio"),
                    Map.of("GZIP_ALLOWED_DOMAINS", "files.allowed.test,other.test"),
                    List.of("files.allowed.test"),
                    List.of(),
                    UpstreamLimits.DEFAULT);
            SandboxProcess p = launcher.launch(
                    new LaunchRequest(spec, "everything-" + owner.substring(5), owner, dir, Optional.of(socket)));
            try {
                StdioPeer peer = new StdioPeer(p);
                JsonNode init = peer.initialize(T);
                assertEquals(
                        "mcp-servers/everything",
                        init.at("/result/serverInfo/name").asText(),
                        init.toString());
                JsonNode list = peer.request("tools/list", StdioPeer.JSON.createObjectNode(), T);
                assertTrue(list.at("/result/tools").size() >= 10, list.toString());

                JsonNode echo = peer.callTool("echo", "{\"message\":\"hi from atoll\"}", T);
                assertEquals("text", echo.at("/result/content/0/type").asText(), echo.toString());
                assertTrue(echo.at("/result/content/0/text").asText().contains("hi from atoll"), echo.toString());

                JsonNode image = peer.callTool("get-tiny-image", "{}", T);
                boolean hasImage = false;
                for (JsonNode c : image.at("/result/content")) {
                    hasImage |= c.path("type").asText().equals("image")
                            && c.path("mimeType").asText().equals("image/png")
                            && !c.path("data").asText().isEmpty();
                }
                assertTrue(hasImage, image.toString());

                JsonNode structured = peer.callTool("get-structured-content", "{\"location\":\"Chicago\"}", T);
                assertTrue(structured.at("/result/structuredContent").isObject(), structured.toString());

                peer.notifications.clear();
                JsonNode progressParams = StdioPeer.JSON.readTree("""
                        {"name":"trigger-long-running-operation","arguments":{"duration":1,"steps":3},
                         "_meta":{"progressToken":"p-1"}}""");
                JsonNode done = peer.request("tools/call", progressParams, T);
                assertTrue(done.has("result"), done.toString());
                long progress = peer.notifications.stream()
                        .filter(n -> n.path("method").asText().equals("notifications/progress")
                                && n.at("/params/progressToken").asText().equals("p-1"))
                        .count();
                assertTrue(progress >= 3, "progress notifications: " + peer.notifications);

                JsonNode bad = peer.callTool("get-sum", "{\"a\":\"not a number\",\"b\":2}", T);
                assertTrue(bad.has("error") || bad.at("/result/isError").asBoolean(), bad.toString());

                String url = "http://files.allowed.test:" + allowed.port() + "/notes.txt";
                JsonNode fetched = peer.callTool(
                        "gzip-file-as-resource",
                        "{\"name\":\"notes.txt.gz\",\"data\":\"" + url + "\",\"outputType\":\"resource\"}",
                        T);
                assertTrue(
                        fetched.has("result") && !fetched.at("/result/isError").asBoolean(false),
                        fetched + "\nstderr: " + peer.stderr() + "\nevents: " + events);
                assertEquals(1, allowedHits.get(), events.toString());

                String refused = "http://other.test:" + other.port() + "/secret.txt";
                JsonNode denied = peer.callTool(
                        "gzip-file-as-resource",
                        "{\"name\":\"s.gz\",\"data\":\"" + refused + "\",\"outputType\":\"resource\"}",
                        T);
                assertTrue(denied.has("error") || denied.at("/result/isError").asBoolean(), denied.toString());
                assertEquals(0, otherHits.get());
                assertTrue(
                        events.stream()
                                .anyMatch(e -> e.outcome().equals("denied")
                                        && e.target().contains("other.test")),
                        events.toString());
            } finally {
                p.stop(Duration.ofSeconds(2));
            }
        } finally {
            allowed.stop();
            other.stop();
        }
    }
}

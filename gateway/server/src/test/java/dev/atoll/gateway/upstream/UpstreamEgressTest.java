package dev.atoll.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.audit.AuditAction;
import dev.atoll.gateway.audit.AuditQuery;
import dev.atoll.gateway.audit.AuditRecord;
import dev.atoll.gateway.testing.UpstreamGateway;
import dev.atoll.gateway.upstream.testing.UpstreamTestSupport;
import io.helidon.webserver.WebServer;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole path: a gateway whose upstream (server-everything under bubblewrap) may reach one host;
 * the upstream manager starts its egress proxy, the launcher bridges it, the server's URL-fetching
 * tool reaches the allowed host only, and every decision is in the audit log.
 */
class UpstreamEgressTest {

    @BeforeAll
    static void needsBwrapAndSocat() {
        UpstreamTestSupport.assumeBwrap();
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isExecutable(java.nio.file.Path.of("/usr/bin/socat")), "socat is installed by scripts/test.sh");
    }

    @Test
    void anUpstreamReachesItsAllowedHostThroughTheProxyAndEveryDecisionIsAudited() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        WebServer target = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(r -> r.any("/*", (req, res) -> {
                    hits.incrementAndGet();
                    res.send("notes for the upstream");
                }))
                .build()
                .start();
        int port = target.port();
        try (UpstreamGateway g = new UpstreamGateway(Map.of(
                "fetch.allow-http",
                "true",
                "fetch.http-ports",
                "[" + port + "]",
                "fetch.allow-addresses",
                "[127.0.0.1]"))) {
            JsonNode r = g.admin(
                    "POST",
                    "/v1/upstreams",
                    Map.of(
                            "name",
                            "fetcher",
                            "kind",
                            "bubblewrap",
                            "command",
                            List.of(
                                    UpstreamTestSupport.node(),
                                    UpstreamTestSupport.npmServer("server-everything"),
                                    "stdio"),
                            "env",
                            Map.of("GZIP_ALLOWED_DOMAINS", "127.0.0.1,127.0.0.2"),
                            "allowHosts",
                            List.of("127.0.0.1:" + port),
                            "volumes",
                            List.of()));
            assertEquals(201, r.path("status").asInt(), r.toString());
            UpstreamTestSupport.await(
                    "fetcher to list its tools",
                    Duration.ofSeconds(60),
                    () -> g.upstream("fetcher").path("tools").size() > 0 && "running".equals(g.state("fetcher")));
            g.approve("fetcher");
            try (McpSyncClient c = g.client()) {
                McpSchema.CallToolResult ok = c.callTool(new McpSchema.CallToolRequest(
                        "fetcher__gzip-file-as-resource",
                        Map.of(
                                "name",
                                "notes.gz",
                                "data",
                                "http://127.0.0.1:" + port + "/notes.txt",
                                "outputType",
                                "resource")));
                assertFalse(
                        Boolean.TRUE.equals(ok.isError()),
                        ok + "\nlogs: " + g.admin("GET", "/v1/upstreams/fetcher/logs", null));
                assertEquals(1, hits.get());

                McpSchema.CallToolResult refused = c.callTool(new McpSchema.CallToolRequest(
                        "fetcher__gzip-file-as-resource",
                        Map.of("name", "x.gz", "data", "http://127.0.0.2:" + port + "/x", "outputType", "resource")));
                assertTrue(Boolean.TRUE.equals(refused.isError()), refused.toString());
                assertEquals(1, hits.get());
            }
            List<AuditRecord> egress = g.gateway
                    .registry()
                    .audit()
                    .query(AuditQuery.builder()
                            .action(AuditAction.UPSTREAM_EGRESS)
                            .limit(100)
                            .build());
            assertTrue(
                    egress.stream()
                            .anyMatch(a -> a.outcome().equals("allowed")
                                    && a.detail().contains("127.0.0.1:" + port)
                                    && a.actor().equals("upstream:fetcher")),
                    egress.toString());
            assertTrue(
                    egress.stream()
                            .anyMatch(a ->
                                    a.outcome().equals("denied") && a.detail().contains("127.0.0.2")),
                    egress.toString());
        } finally {
            target.stop();
        }
    }
}

package dev.atoll.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.audit.AuditQuery;
import dev.atoll.gateway.audit.AuditRecord;
import dev.atoll.gateway.testing.UpstreamGateway;
import dev.atoll.gateway.upstream.testing.UpstreamTestSupport;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real {@code @modelcontextprotocol/server-everything} under bubblewrap behind a gateway: its
 * resources, templates, prompts and completions are invisible while quarantined, served under its
 * namespace once approved (through the pipeline: audited), and pulled when the server changes its
 * resource list after approval (a rug pull), until approved again; another server cannot forge that pin.
 * The official TypeScript SDK client answers its sampling and roots requests and hears its live
 * progress and resource updates; subscriptions are forwarded once and dropped with the last session.
 */
class EverythingFeaturesTest {

    private static final String DOC = "demo://resource/static/document/instructions.md";

    private static UpstreamGateway g;

    @BeforeAll
    static void start() throws Exception {
        UpstreamTestSupport.assumeBwrap();
        g = new UpstreamGateway(Map.of());
    }

    @AfterAll
    static void stop() {
        if (g != null) {
            g.close();
        }
    }

    /** Adds server-everything as {@code name}, waits for its client-capability tools, approves it. */
    private static void addEverything(String name) throws Exception {
        g.addAndWait(
                name,
                List.of(UpstreamTestSupport.node(), UpstreamTestSupport.npmServer("server-everything"), "stdio"),
                Map.of(),
                List.of());
        // The gateway declares sampling and roots to the server, which then adds these tools (quarantined).
        Awaitility.await("the client-capability tools listed")
                .atMost(Duration.ofSeconds(30))
                .until(() -> {
                    List<String> tools = StreamSupport.stream(
                                    g.upstream(name).path("tools").spliterator(), false)
                            .map(t -> t.path("name").asText())
                            .toList();
                    return tools.contains("trigger-sampling-request") && tools.contains("get-roots-list");
                });
        g.approve(name);
        Awaitility.await("resources served").atMost(Duration.ofSeconds(30)).until(() -> {
            try (McpSyncClient c = g.client()) {
                return uris(c).contains(DOC);
            }
        });
    }

    private static String logs(String name) throws Exception {
        return g.admin("GET", "/v1/upstreams/" + name + "/logs?lines=2000", null)
                .path("body")
                .path("lines")
                .toString();
    }

    /**
     * The official TypeScript SDK client (scripts/node/everything-client.mjs) behind the gateway: the
     * server's sampling request and roots/list reach it and its answers go back, the server's progress
     * reaches it while the tool runs, and its subscription brings the server's resource updates.
     */
    @Test
    void aTypeScriptSdkClientAnswersSamplingAndRootsAndHearsProgressAndUpdates() throws Exception {
        addEverything("ts");
        try {
            // The stateless era cannot carry the server's roots/list: the server is told why, clearly. (First:
            // server-everything keeps the roots it once got for its one stdio session, whoever asks later.)
            JsonNode stateless = dev.atoll.gateway.testing.StatelessCall.result(
                    java.net.http.HttpClient.newHttpClient(),
                    g.gateway.mcpUrl(),
                    UpstreamGateway.MCP_TOKEN,
                    "ts__get-roots-list",
                    "{}");
            assertFalse(stateless.toString().contains("file:///"), stateless.toString());
            Awaitility.await("the refusal in the server's log")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> logs("ts").contains("cannot relay roots/list: the calling agent cannot take it"));
            java.nio.file.Path script = UpstreamTestSupport.root().resolve("scripts/node/everything-client.mjs");
            Process p = new ProcessBuilder(
                            UpstreamTestSupport.node(),
                            script.toString(),
                            "http://127.0.0.1:" + g.gateway.mcpPort() + "/mcp",
                            UpstreamGateway.MCP_TOKEN,
                            "ts")
                    .directory(script.getParent().toFile())
                    .redirectErrorStream(true)
                    .start();
            java.util.concurrent.CompletableFuture<String> out =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return new String(
                                    p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                        } catch (java.io.IOException e) {
                            return e.toString();
                        }
                    });
            boolean exited = p.waitFor(100, java.util.concurrent.TimeUnit.SECONDS);
            if (!exited) {
                p.destroyForcibly();
            }
            String output = out.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(exited && p.exitValue() == 0, "the TypeScript client's checks:\n" + output);
            assertTrue(output.contains("all checks passed"), output);

            // A client that did not declare sampling gets a clear refusal from the gateway, not a hang.
            try (McpSyncClient plain = g.client()) {
                McpSchema.CallToolResult refused = plain.callTool(new McpSchema.CallToolRequest(
                        "ts__trigger-sampling-request", Map.of("prompt", "x", "maxTokens", 5)));
                assertTrue(
                        Boolean.TRUE.equals(refused.isError())
                                && refused.content().toString().contains("cannot relay sampling/createMessage"),
                        refused.toString());
            }
        } finally {
            g.admin("DELETE", "/v1/upstreams/ts", null);
        }
    }

    /**
     * Subscriptions to an upstream resource over real HTTP sessions: the server is subscribed once
     * however many sessions subscribe, its updates reach every subscribed session, a server killed and
     * restarted is subscribed again (its updates reach the sessions), and it is unsubscribed only when
     * the last session leaves (here: by ending its session).
     */
    @Test
    void anUpstreamResourceIsSubscribedOnceAndDroppedWhenTheLastSessionLeaves() throws Exception {
        addEverything("subs");
        dev.atoll.gateway.testing.RawSession a =
                new dev.atoll.gateway.testing.RawSession(g.gateway.mcpUrl(), UpstreamGateway.MCP_TOKEN);
        dev.atoll.gateway.testing.RawSession b =
                new dev.atoll.gateway.testing.RawSession(g.gateway.mcpUrl(), UpstreamGateway.MCP_TOKEN);
        try {
            var aStream = a.stream();
            var bStream = b.stream();
            assertTrue(a.call("resources/subscribe", "{\"uri\":\"" + DOC + "\"}")
                    .path("result")
                    .isObject());
            assertTrue(b.call("resources/subscribe", "{\"uri\":\"" + DOC + "\"}")
                    .path("result")
                    .isObject());
            JsonNode unknown = a.call("resources/subscribe", "{\"uri\":\"demo://nothing\"}");
            assertEquals(-32002, unknown.path("error").path("code").asInt(), unknown.toString());
            Awaitility.await("the server subscribed")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> logs("subs").contains("Received Subscribe Resource request for URI: " + DOC));
            assertEquals(
                    1, count(logs("subs"), "Received Subscribe Resource request"), "subscribed once: " + logs("subs"));

            JsonNode toggled = a.call("tools/call", "{\"name\":\"subs__toggle-subscriber-updates\",\"arguments\":{}}");
            assertFalse(toggled.path("result").path("isError").asBoolean(), toggled.toString());
            for (var stream : List.of(aStream, bStream)) {
                JsonNode u = dev.atoll.gateway.testing.RawSession.next(
                        stream,
                        m -> "notifications/resources/updated"
                                .equals(m.path("method").asText()));
                assertEquals(DOC, u.path("params").path("uri").asText(), u.toString());
                assertEquals(List.of("uri"), iterable(u.path("params").fieldNames()), "only the URI is relayed");
            }

            // The server is killed: the restarted process is subscribed again, and its updates flow.
            long pid = g.bwrapPid("subs");
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            Awaitility.await("subs restarted")
                    .atMost(Duration.ofSeconds(60))
                    .until(() ->
                            g.upstream("subs").path("status").path("restarts").asInt() >= 1
                                    && g.bwrapPid("subs") != pid
                                    && "running"
                                            .equals(g.upstream("subs")
                                                    .path("state")
                                                    .asText()));
            Awaitility.await("the new process subscribed")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> count(logs("subs"), "Received Subscribe Resource request for URI: " + DOC) == 2);
            aStream.clear();
            bStream.clear();
            JsonNode on = a.call("tools/call", "{\"name\":\"subs__toggle-subscriber-updates\",\"arguments\":{}}");
            assertFalse(
                    on.path("result").path("isError").asBoolean(), on.toString()); // a new process starts with them off
            for (var stream : List.of(aStream, bStream)) {
                JsonNode u = dev.atoll.gateway.testing.RawSession.next(
                        stream,
                        m -> "notifications/resources/updated"
                                .equals(m.path("method").asText()));
                assertEquals(DOC, u.path("params").path("uri").asText(), "after the restart: " + u);
            }

            // One session unsubscribes: the other still wants it, so the server keeps the subscription.
            assertTrue(a.call("resources/unsubscribe", "{\"uri\":\"" + DOC + "\"}")
                    .path("result")
                    .isObject());
            bStream.clear();
            JsonNode again = dev.atoll.gateway.testing.RawSession.next(
                    bStream,
                    m -> "notifications/resources/updated"
                            .equals(m.path("method").asText()));
            assertEquals(DOC, again.path("params").path("uri").asText());
            assertFalse(logs("subs").contains("Received Unsubscribe Resource request"), logs("subs"));

            // The last subscriber's session ends: the gateway drops the server's subscription.
            b.delete();
            Awaitility.await("the server unsubscribed")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> logs("subs").contains("Received Unsubscribe Resource request: " + DOC));
            a.call("tools/call", "{\"name\":\"subs__toggle-subscriber-updates\",\"arguments\":{}}"); // stop them

            // Each change is in the audit log: two subscribed, one left by the client, one with its session.
            assertEquals(List.of("ok by=", "ok by="), subscriptionAudit("resource.subscribe", DOC));
            assertEquals(
                    List.of("ok by=client", "ok by=session_end"),
                    subscriptionAudit("resource.unsubscribe", DOC).stream()
                            .sorted()
                            .toList());
        } finally {
            a.close();
            b.close();
            g.admin("DELETE", "/v1/upstreams/subs", null);
        }
    }

    /**
     * A hostile server: a subscribe to a server that did not declare subscriptions is refused; a
     * server's update for a URI nobody subscribed to is dropped, and one for the subscribed URI reaches
     * the client with the URI alone (what the server added to it does not).
     */
    @Test
    void aServerCannotPushUpdatesForUrisNobodySubscribedToNorContentWithThem() throws Exception {
        for (String mode : List.of("plain", "subscribe")) {
            g.addAndWait(
                    mode,
                    List.of(UpstreamTestSupport.node(), UpstreamTestSupport.hostileServer()),
                    Map.of("HOSTILE_RESOURCES", mode),
                    List.of());
            try (dev.atoll.gateway.testing.RawSession s =
                    new dev.atoll.gateway.testing.RawSession(g.gateway.mcpUrl(), UpstreamGateway.MCP_TOKEN)) {
                g.approve(mode);
                String uri = "hostile://" + mode;
                Awaitility.await("its resource served")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> s.call("resources/list", "{}").toString().contains(uri));
                var stream = s.stream();
                JsonNode sub = s.call("resources/subscribe", "{\"uri\":\"" + uri + "\"}");
                if (mode.equals("plain")) {
                    assertEquals(-32601, sub.path("error").path("code").asInt(), sub.toString());
                    assertTrue(
                            sub.path("error")
                                    .path("message")
                                    .asText()
                                    .contains("does not offer resource subscriptions"),
                            sub.toString());
                    assertEquals(List.of("refused by="), subscriptionAudit("resource.subscribe", uri));
                    continue;
                }
                assertTrue(sub.path("result").isObject(), sub.toString());
                // The server sent an update for hostile://forged first: the first one the client gets is its own.
                JsonNode u = dev.atoll.gateway.testing.RawSession.next(
                        stream,
                        m -> "notifications/resources/updated"
                                .equals(m.path("method").asText()));
                assertEquals(uri, u.path("params").path("uri").asText(), u.toString());
                assertEquals(List.of("uri"), iterable(u.path("params").fieldNames()), u.toString());
            } finally {
                g.admin("DELETE", "/v1/upstreams/" + mode, null);
            }
        }
    }

    /**
     * The audit records of one action for one URI, each as "outcome by=BY" (BY from the detail), and
     * checks that each names an actor (the token) and an owner.
     */
    private static List<String> subscriptionAudit(String action, String uri) throws Exception {
        JsonNode records = g.admin("GET", "/v1/audit?action=" + action + "&limit=1000", null)
                .path("body");
        List<String> out = new java.util.ArrayList<>();
        for (JsonNode r : records) {
            JsonNode detail = r.path("detail").isTextual()
                    ? new com.fasterxml.jackson.databind.ObjectMapper()
                            .readTree(r.path("detail").asText())
                    : r.path("detail");
            if (detail.path("uri").asText().equals(uri)) {
                assertFalse(detail.path("owner").asText().isEmpty(), r.toString());
                assertFalse(r.path("actor").asText().isEmpty(), r.toString());
                out.add(r.path("outcome").asText() + " by=" + detail.path("by").asText());
            }
        }
        return out;
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void resourcesPromptsAndCompletionsOfAnApprovedUpstreamArePinnedAndServed() throws Exception {
        try {
            g.addAndWait(
                    "every",
                    List.of(UpstreamTestSupport.node(), UpstreamTestSupport.npmServer("server-everything"), "stdio"),
                    Map.of(),
                    List.of());
            try (McpSyncClient c = g.client()) {
                assertTrue(uris(c).isEmpty(), "a quarantined upstream's resources are invisible");
                assertTrue(c.listPrompts().prompts().isEmpty(), "a quarantined upstream's prompts are invisible");

                g.approve("every");
                Awaitility.await("resources listed")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> uris(c).contains(DOC));

                McpSchema.ReadResourceResult doc = c.readResource(new McpSchema.ReadResourceRequest(DOC));
                assertTrue(
                        doc.contents().getFirst() instanceof McpSchema.TextResourceContents t
                                && t.uri().equals(DOC)
                                && !t.text().isEmpty(),
                        doc.toString());

                List<String> templates = c.listResourceTemplates().resourceTemplates().stream()
                        .map(McpSchema.ResourceTemplate::uriTemplate)
                        .toList();
                assertTrue(templates.contains("demo://resource/dynamic/text/{resourceId}"), templates.toString());
                McpSchema.ReadResourceResult dyn =
                        c.readResource(new McpSchema.ReadResourceRequest("demo://resource/dynamic/text/7"));
                assertTrue(
                        dyn.contents().getFirst() instanceof McpSchema.TextResourceContents t
                                && t.text().startsWith("Resource 7:"),
                        dyn.toString());

                List<String> prompts = c.listPrompts().prompts().stream()
                        .map(McpSchema.Prompt::name)
                        .toList();
                assertTrue(
                        prompts.contains("every__simple-prompt") && prompts.contains("every__completable-prompt"),
                        prompts.toString());
                McpSchema.GetPromptResult simple =
                        c.getPrompt(new McpSchema.GetPromptRequest("every__simple-prompt", Map.of()));
                assertTrue(
                        simple.messages().getFirst().content() instanceof McpSchema.TextContent t
                                && t.text().contains("simple prompt without arguments"),
                        simple.toString());

                McpSchema.CompleteResult done = c.completeCompletion(new McpSchema.CompleteRequest(
                        new McpSchema.PromptReference("every__completable-prompt"),
                        new McpSchema.CompleteRequest.CompleteArgument("department", "Eng")));
                assertEquals(List.of("Engineering"), done.completion().values());

                g.gateway.registry().audit().flush();
                List<String> audited = g
                        .gateway
                        .registry()
                        .audit()
                        .query(AuditQuery.builder().build())
                        .stream()
                        .map(AuditRecord::tool)
                        .toList();
                assertTrue(
                        audited.contains("every__:resources/read")
                                && audited.contains("every__:prompts/get")
                                && audited.contains("every__:completion/complete"),
                        audited.toString());

                // DLP covers what flows each way: an e-mail address in a prompt argument never comes back.
                McpSchema.GetPromptResult promoted = c.getPrompt(new McpSchema.GetPromptRequest(
                        "every__completable-prompt", Map.of("department", "Sales", "name", "jane.doe@example.com")));
                String text =
                        ((McpSchema.TextContent) promoted.messages().getFirst().content()).text();
                assertTrue(text.contains("Sales") && !text.contains("jane.doe@example.com"), text);
                g.gateway.registry().audit().flush();
                assertTrue(
                        g
                                .gateway
                                .registry()
                                .audit()
                                .query(AuditQuery.builder()
                                        .action(dev.atoll.gateway.audit.AuditAction.DLP_MATCH)
                                        .build())
                                .stream()
                                .anyMatch(r -> r.toJsonLine().contains("every__:prompts/get")),
                        "the DLP match is audited");

                // A rug pull: the server registers a new resource after approval (a session resource made by
                // one of its tools from a data: URL). Its resource list no longer equals the pin: pulled.
                McpSchema.CallToolResult gz = c.callTool(new McpSchema.CallToolRequest(
                        "every__gzip-file-as-resource",
                        Map.of("name", "pulled.txt.gz", "data", "data:text/plain,rug", "outputType", "resource")));
                assertFalse(Boolean.TRUE.equals(gz.isError()), gz.toString());
                Awaitility.await("the changed resource list pulled")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> "PULLED".equalsIgnoreCase(featuresState(g))
                                && uris(c).isEmpty()
                                && c.listPrompts().prompts().isEmpty());
                assertTrue(
                        c.listTools().tools().stream().anyMatch(t -> t.name().equals("every__echo")),
                        "its unchanged tools keep serving");

                // A server cannot forge the pin of resources and prompts by listing a tool of that name.
                g.addAndWait(
                        "forge",
                        List.of(UpstreamTestSupport.node(), UpstreamTestSupport.hostileServer()),
                        Map.of("HOSTILE_FORGE_FEATURES", "1"),
                        List.of());
                g.approve("forge");
                assertTrue(
                        StreamSupport.stream(g.upstream("forge").path("tools").spliterator(), false)
                                .noneMatch(t -> t.path("name").asText().equals("#features")),
                        g.upstream("forge").toString());
                assertTrue(c.listTools().tools().stream().anyMatch(t -> t.name().equals("forge__echo")), "approved");
                assertFalse(uris(c).contains("file:///forged"));
                assertTrue(c.listPrompts().prompts().stream()
                        .noneMatch(p -> p.name().startsWith("forge__")));

                g.approve("every");
                Awaitility.await("served again after approval")
                        .atMost(Duration.ofSeconds(30))
                        .until(() ->
                                uris(c).contains("demo://resource/session/pulled.txt.gz") && uris(c).contains(DOC));
            }
        } finally {
            // Another server-everything offers the same URIs: while two offer them, neither serves them.
            g.admin("DELETE", "/v1/upstreams/every", null);
            g.admin("DELETE", "/v1/upstreams/forge", null);
        }
    }

    private static List<String> uris(McpSyncClient c) {
        return c.listResources().resources().stream()
                .map(McpSchema.Resource::uri)
                .toList();
    }

    private static String featuresState(UpstreamGateway g) {
        JsonNode tools = g.upstream("every").path("tools");
        return StreamSupport.stream(tools.spliterator(), false)
                .filter(t -> t.path("name").asText().equals("#features"))
                .map(t -> t.path("state").asText())
                .findFirst()
                .orElse("");
    }
}

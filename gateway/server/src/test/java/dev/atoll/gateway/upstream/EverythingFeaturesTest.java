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

    @Test
    void aSamplingRequestOfTheServerReachesTheCallingAgentWhoseAnswerGoesBack() throws Exception {
        g.addAndWait("sampler", List.of(UpstreamTestSupport.node(), UpstreamTestSupport.npmServer("server-everything"),
                "stdio"), Map.of(), List.of());
        try {
            // The gateway declares sampling to the server, which then adds its sampling tool (quarantined).
            Awaitility.await("the sampling tool listed").atMost(Duration.ofSeconds(30)).until(() -> StreamSupport
                    .stream(g.upstream("sampler").path("tools").spliterator(), false)
                    .anyMatch(t -> t.path("name").asText().equals("trigger-sampling-request")));
            g.approve("sampler");
            List<McpSchema.CreateMessageRequest> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
            var transport = io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport
                    .builder("http://127.0.0.1:" + g.gateway.mcpPort()).endpoint("/mcp")
                    .requestBuilder(java.net.http.HttpRequest.newBuilder().header("Authorization",
                            "Bearer " + UpstreamGateway.MCP_TOKEN)).build();
            try (McpSyncClient c = io.modelcontextprotocol.client.McpClient.sync(transport)
                    .requestTimeout(Duration.ofSeconds(60))
                    .capabilities(McpSchema.ClientCapabilities.builder().sampling().build())
                    .sampling(req -> {
                        asked.add(req);
                        return McpSchema.CreateMessageResult.builder().role(McpSchema.Role.ASSISTANT)
                                .content(new McpSchema.TextContent("forty-two from the agent")).model("test-model")
                                .build();
                    }).build()) {
                c.initialize();
                McpSchema.CallToolResult r = c.callTool(new McpSchema.CallToolRequest("sampler__trigger-sampling-request",
                        Map.of("prompt", "what is the answer?", "maxTokens", 20)));
                assertFalse(Boolean.TRUE.equals(r.isError()), r.toString());
                assertTrue(((McpSchema.TextContent) r.content().getFirst()).text().contains("forty-two from the agent"),
                        r.toString());
                assertEquals(1, asked.size());
                assertTrue(asked.getFirst().messages().getFirst().content().toString().contains("what is the answer?"));
            }
            // A client that did not declare sampling gets a clear refusal from the gateway, not a hang.
            try (McpSyncClient plain = g.client()) {
                McpSchema.CallToolResult refused = plain.callTool(new McpSchema.CallToolRequest(
                        "sampler__trigger-sampling-request", Map.of("prompt", "x", "maxTokens", 5)));
                assertTrue(Boolean.TRUE.equals(refused.isError())
                        && refused.content().toString().contains("cannot relay sampling/createMessage"),
                        refused.toString());
            }
        } finally {
            g.admin("DELETE", "/v1/upstreams/sampler", null);
        }
    }

    @Test
    void resourcesPromptsAndCompletionsOfAnApprovedUpstreamArePinnedAndServed() throws Exception {
        {
            g.addAndWait("every", List.of(UpstreamTestSupport.node(), UpstreamTestSupport.npmServer("server-everything"),
                    "stdio"), Map.of(), List.of());
            try (McpSyncClient c = g.client()) {
                assertTrue(uris(c).isEmpty(), "a quarantined upstream's resources are invisible");
                assertTrue(c.listPrompts().prompts().isEmpty(), "a quarantined upstream's prompts are invisible");

                g.approve("every");
                Awaitility.await("resources listed").atMost(Duration.ofSeconds(30)).until(() -> uris(c).contains(DOC));

                McpSchema.ReadResourceResult doc = c.readResource(new McpSchema.ReadResourceRequest(DOC));
                assertTrue(doc.contents().getFirst() instanceof McpSchema.TextResourceContents t && t.uri().equals(DOC)
                        && !t.text().isEmpty(), doc.toString());

                List<String> templates = c.listResourceTemplates().resourceTemplates().stream()
                        .map(McpSchema.ResourceTemplate::uriTemplate).toList();
                assertTrue(templates.contains("demo://resource/dynamic/text/{resourceId}"), templates.toString());
                McpSchema.ReadResourceResult dyn = c.readResource(
                        new McpSchema.ReadResourceRequest("demo://resource/dynamic/text/7"));
                assertTrue(dyn.contents().getFirst() instanceof McpSchema.TextResourceContents t
                        && t.text().startsWith("Resource 7:"), dyn.toString());

                List<String> prompts = c.listPrompts().prompts().stream().map(McpSchema.Prompt::name).toList();
                assertTrue(prompts.contains("every__simple-prompt") && prompts.contains("every__completable-prompt"),
                        prompts.toString());
                McpSchema.GetPromptResult simple = c.getPrompt(new McpSchema.GetPromptRequest("every__simple-prompt",
                        Map.of()));
                assertTrue(simple.messages().getFirst().content() instanceof McpSchema.TextContent t
                        && t.text().contains("simple prompt without arguments"), simple.toString());

                McpSchema.CompleteResult done = c.completeCompletion(new McpSchema.CompleteRequest(
                        new McpSchema.PromptReference("every__completable-prompt"),
                        new McpSchema.CompleteRequest.CompleteArgument("department", "Eng")));
                assertEquals(List.of("Engineering"), done.completion().values());

                g.gateway.registry().audit().flush();
                List<String> audited = g.gateway.registry().audit().query(AuditQuery.builder().build()).stream()
                        .map(AuditRecord::tool).toList();
                assertTrue(audited.contains("every__:resources/read") && audited.contains("every__:prompts/get")
                        && audited.contains("every__:completion/complete"), audited.toString());

                // DLP covers what flows each way: an e-mail address in a prompt argument never comes back.
                McpSchema.GetPromptResult promoted = c.getPrompt(new McpSchema.GetPromptRequest(
                        "every__completable-prompt", Map.of("department", "Sales", "name", "jane.doe@example.com")));
                String text = ((McpSchema.TextContent) promoted.messages().getFirst().content()).text();
                assertTrue(text.contains("Sales") && !text.contains("jane.doe@example.com"), text);
                g.gateway.registry().audit().flush();
                assertTrue(g.gateway.registry().audit().query(AuditQuery.builder().action(
                        dev.atoll.gateway.audit.AuditAction.DLP_MATCH).build()).stream()
                        .anyMatch(r -> r.toJsonLine().contains("every__:prompts/get")), "the DLP match is audited");

                // A rug pull: the server registers a new resource after approval (a session resource made by
                // one of its tools from a data: URL). Its resource list no longer equals the pin: pulled.
                McpSchema.CallToolResult gz = c.callTool(new McpSchema.CallToolRequest("every__gzip-file-as-resource",
                        Map.of("name", "pulled.txt.gz", "data", "data:text/plain,rug", "outputType", "resource")));
                assertFalse(Boolean.TRUE.equals(gz.isError()), gz.toString());
                Awaitility.await("the changed resource list pulled").atMost(Duration.ofSeconds(30))
                        .until(() -> "PULLED".equalsIgnoreCase(featuresState(g)) && uris(c).isEmpty()
                                && c.listPrompts().prompts().isEmpty());
                assertTrue(c.listTools().tools().stream().anyMatch(t -> t.name().equals("every__echo")),
                        "its unchanged tools keep serving");

                // A server cannot forge the pin of resources and prompts by listing a tool of that name.
                g.addAndWait("forge", List.of(UpstreamTestSupport.node(), UpstreamTestSupport.hostileServer()),
                        Map.of("HOSTILE_FORGE_FEATURES", "1"), List.of());
                g.approve("forge");
                assertTrue(StreamSupport.stream(g.upstream("forge").path("tools").spliterator(), false)
                        .noneMatch(t -> t.path("name").asText().equals("#features")), g.upstream("forge").toString());
                assertTrue(c.listTools().tools().stream().anyMatch(t -> t.name().equals("forge__echo")), "approved");
                assertFalse(uris(c).contains("file:///forged"));
                assertTrue(c.listPrompts().prompts().stream().noneMatch(p -> p.name().startsWith("forge__")));

                g.approve("every");
                Awaitility.await("served again after approval").atMost(Duration.ofSeconds(30))
                        .until(() -> uris(c).contains("demo://resource/session/pulled.txt.gz") && uris(c).contains(DOC));
            }
        }
    }

    private static List<String> uris(McpSyncClient c) {
        return c.listResources().resources().stream().map(McpSchema.Resource::uri).toList();
    }

    private static String featuresState(UpstreamGateway g) {
        JsonNode tools = g.upstream("every").path("tools");
        return StreamSupport.stream(tools.spliterator(), false).filter(t -> t.path("name").asText().equals("#features"))
                .map(t -> t.path("state").asText()).findFirst().orElse("");
    }
}

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

    @BeforeAll
    static void needsBwrap() {
        UpstreamTestSupport.assumeBwrap();
    }

    @Test
    void resourcesPromptsAndCompletionsOfAnApprovedUpstreamArePinnedAndServed() throws Exception {
        try (UpstreamGateway g = new UpstreamGateway(Map.of())) {
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

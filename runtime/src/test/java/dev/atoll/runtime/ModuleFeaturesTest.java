package dev.atoll.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #24: resources, templates and prompts are part of the static manifest (checked strictly, kept
 * in the approved JSON), and each {@link Entry} runs its own export, without the tool's schemas.
 */
class ModuleFeaturesTest {

    static ToolRuntime runtime;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() {
        runtime = ToolRuntime.builder().build();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    static ToolSource module(String features, String exports) {
        return ToolSource.js(
                "m.mjs",
                "export const tool = { name: 'm', description: 'd', inputSchema: { type: 'object',"
                        + " properties: { n: { type: 'integer' } }, required: ['n'] }, outputSchema: { type: 'object' }"
                        + features + " };\nexport default function () { return {}; }\n" + exports);
    }

    @Test
    void featuresAreParsedAndRoundTripThroughTheApprovedJson() {
        Tool t = runtime.load(module(
                ", resources: [{ uri: 'a://b', name: 'b', mimeType: 'text/plain' }],"
                        + " resourceTemplates: [{ uriTemplate: 'a://x/{id}', name: 'x' }],"
                        + " prompts: [{ name: 'p', arguments: [{ name: 'q', required: true }] }]",
                ""));
        ModuleFeatures f = t.manifest().features();
        assertEquals("a://b", f.resources().getFirst().path("uri").asText());
        assertEquals(
                "a://x/{id}",
                f.resourceTemplates().getFirst().path("uriTemplate").asText());
        assertEquals("p", f.prompts().getFirst().path("name").asText());
        assertEquals(t.manifest(), ToolManifest.fromJson(t.manifest().toJson()));
    }

    @Test
    void badDeclarationsAreRefusedAtLoad() {
        for (String bad : List.of(
                ", resources: [{ uri: 'relative/path', name: 'b' }]",
                ", resources: [{ uri: 'a://b', name: 'b', handler: 'x' }]",
                ", resources: [{ uri: 'a://b', name: 'b', mimeType: 'not a type' }]",
                ", resources: [{ uri: 'a://b', name: 'b' }, { uri: 'a://b', name: 'c' }]",
                ", resourceTemplates: [{ uriTemplate: 'a://x/static', name: 'x' }]",
                ", resourceTemplates: [{ uriTemplate: 'a://x/{+id}', name: 'x' }]",
                ", prompts: [{ name: 'has space' }]",
                ", prompts: [{ name: 'p', arguments: [{ name: 'q', required: 'yes' }] }]")) {
            assertThrows(InvalidToolException.class, () -> runtime.load(module(bad, "")), bad);
        }
    }

    @Test
    void eachEntryRunsItsOwnExportWithoutTheToolsSchemas() throws Exception {
        Tool t = runtime.load(module(
                ", prompts: [{ name: 'p' }]",
                "export function getPrompt(req) { return { got: req.name }; }\n"
                        + "export function readResource(req) { return 'text of ' + req.uri; }\n"));
        CallResult prompt =
                runtime.call(t, JSON.readTree("{\"name\":\"p\"}"), new Invocation(Entry.PROMPT, "", List.of()));
        assertEquals(
                "{\"got\":\"p\"}",
                assertInstanceOf(Outcome.Ok.class, prompt.outcome()).value().toString());
        CallResult read =
                runtime.call(t, JSON.readTree("{\"uri\":\"a://b\"}"), new Invocation(Entry.RESOURCE, "", List.of()));
        assertEquals(
                "text of a://b",
                assertInstanceOf(Outcome.Ok.class, read.outcome()).value().asText());
        CallResult missing = runtime.call(t, JSON.readTree("{}"), new Invocation(Entry.COMPLETE, "", List.of()));
        assertTrue(
                assertInstanceOf(Outcome.ToolError.class, missing.outcome())
                        .message()
                        .contains("exports no function 'complete'"),
                missing.outcome().toString());
        // The tool entry still checks its input schema.
        CallResult tool = runtime.call(t, JSON.readTree("{}"), Invocation.tool(""));
        assertInstanceOf(Outcome.InvalidArguments.class, tool.outcome());
    }
}

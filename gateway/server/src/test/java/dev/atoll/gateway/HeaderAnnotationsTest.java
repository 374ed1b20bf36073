package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.backend.HeaderAnnotations;
import dev.atoll.gateway.registry.Actor;
import dev.atoll.runtime.InvalidToolException;
import dev.atoll.runtime.ToolSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The x-mcp-header rules of MCP 2026-07-28, checked before a tool is deployed. */
class HeaderAnnotationsTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    static final ObjectMapper JSON = new ObjectMapper();

    static List<String> problems(String schema) throws Exception {
        return HeaderAnnotations.problems(JSON.readTree(schema));
    }

    @Test
    void validAnnotationsPass() throws Exception {
        assertEquals(List.of(), problems("""
                {"type":"object","properties":{
                  "region":{"type":"string","x-mcp-header":"Region"},
                  "n":{"type":"integer","x-mcp-header":"Count_1"},
                  "opts":{"type":"object","properties":{"dry":{"type":"boolean","x-mcp-header":"Dry-Run"}}},
                  "free":{"type":"number"}}}"""));
    }

    @Test
    void eachRuleIsEnforced() throws Exception {
        String[][] cases = {
            {"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"x-mcp-header\":\"\"}}}", "non-empty"},
            {"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"x-mcp-header\":\"Bad Name\"}}}", "token"
            },
            {"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"x-mcp-header\":\"X\\r\\nY\"}}}", "token"
            },
            {"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"x-mcp-header\":7}}}", "non-empty string"
            },
            {
                "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"x-mcp-header\":\"Same\"},"
                        + "\"b\":{\"type\":\"string\",\"x-mcp-header\":\"same\"}}}",
                "repeats"
            },
            {"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\",\"x-mcp-header\":\"A\"}}}", "type string"
            },
            {"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"object\",\"x-mcp-header\":\"A\"}}}", "type string"
            },
            {
                "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":[\"string\",\"null\"],\"x-mcp-header\":\"A\"}}}",
                "type string"
            },
            {
                "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"x-mcp-header\":\"A\"}}}}",
                "reached from the schema root"
            },
            {
                "{\"type\":\"object\",\"properties\":{\"a\":{\"oneOf\":[{\"type\":\"string\",\"x-mcp-header\":\"A\"}]}}}",
                "reached from the schema root"
            },
            {
                "{\"type\":\"object\",\"$defs\":{\"d\":{\"type\":\"string\",\"x-mcp-header\":\"A\"}}}",
                "reached from the schema root"
            },
            {"{\"type\":\"string\",\"x-mcp-header\":\"Root\"}", "reached from the schema root"},
        };
        for (String[] c : cases) {
            List<String> p = problems(c[0]);
            assertTrue(p.stream().anyMatch(m -> m.contains(c[1])), c[0] + " -> " + p);
        }
    }

    @Test
    void deployRefusesAToolClientsWouldHide() throws Exception {
        try (Gateway gateway = Gateway.builder()
                .config(GatewayConfig.defaults()
                        .with(Map.of(
                                "mcp.port",
                                "0",
                                "admin.port",
                                "0",
                                "data-dir",
                                Files.createTempDirectory(scratch, "atoll-headers")
                                        .toString(),
                                "examples.deploy",
                                "false")))
                .mcpToken("atoll_mcp_headers_test", "t", Set.of("*"))
                .start()) {
            InvalidToolException e = assertThrows(
                    InvalidToolException.class, () -> gateway.deploy(ToolSource.js("h.mjs", """
                    export const tool = { name: "h", description: "d", inputSchema: { type: "object",
                      properties: { size: { type: "number", "x-mcp-header": "Size" } } } };
                    export default function () { return 1; }
                    """), Actor.SYSTEM));
            assertTrue(e.getMessage().contains("x-mcp-header at /properties/size"), e.getMessage());
            assertTrue(gateway.registry().tool("h").isEmpty(), "nothing was stored");
            JsonNode ok = JSON.valueToTree(gateway.deploy(ToolSource.js("g.mjs", """
                    export const tool = { name: "g", description: "d", inputSchema: { type: "object",
                      properties: { region: { type: "string", "x-mcp-header": "Region" } } } };
                    export default function () { return 1; }
                    """), Actor.SYSTEM)
                    .version()
                    .name());
            assertEquals("g", ok.asText());
        }
    }
}

package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.dlp.Action;
import dev.atoll.gateway.dlp.Category;
import dev.atoll.gateway.dlp.Direction;
import dev.atoll.gateway.dlp.Severity;
import dev.atoll.gateway.testing.StatelessCall;
import dev.atoll.runtime.ToolSource;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DLP policy's defaults, overrides and limits, bound from the gateway's YAML and applied end to end. */
class DlpConfigTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    static final String TOKEN = "atoll_mcp_dlp_config_test_token";
    static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE"; // AWS's documented example key id
    final HttpClient http = HttpClient.newHttpClient();

    static Path yaml(String dlpSection) throws Exception {
        Path dir = Files.createTempDirectory(scratch, "atoll-dlp-config");
        Path file = dir.resolve("atoll.yaml");
        Files.writeString(file, """
                data-dir: %s
                mcp: {port: 0}
                admin: {port: 0}
                examples: {deploy: false}
                dlp:
                %s
                """.formatted(dir.resolve("data"), dlpSection.indent(2)));
        return file;
    }

    JsonNode call(Gateway gateway, String tool, String args) throws Exception {
        return StatelessCall.result(http, gateway.mcpUrl(), TOKEN, tool, args);
    }

    @Test
    void defaultsOverridesAndLimitsFromYamlDecideTheAction() throws Exception {
        GatewayConfig config = GatewayConfig.load(yaml("""
                defaults:
                  outbound: {pii: log}
                overrides:
                  - {tool: trusted_echo, rules: [aws-access-key-id], action: log}
                limits: {max-json-depth: 4}
                """));
        assertEquals(Action.LOG, config.dlp().defaults().get(Direction.OUTBOUND).get(Category.PII));
        assertEquals(
                Action.REDACT,
                config.dlp().defaults().get(Direction.OUTBOUND).get(Category.SECRET),
                "merged over the defaults");
        assertEquals(Action.LOG, config.dlp().overrides().getFirst().action());
        try (Gateway gateway = Gateway.builder()
                .config(config)
                .mcpToken(TOKEN, "acme", Set.of("*"))
                .start()) {
            for (String name : new String[] {"echo", "trusted_echo"}) {
                gateway.deployApproved(ToolSource.js(name + ".mjs", """
                        export const tool = { name: "%s", description: "returns its input", inputSchema: { type: "object" } };
                        export default function (args) { return JSON.stringify(args); }
                        """.formatted(name)));
            }
            gateway.deployApproved(ToolSource.js("contact.mjs", """
                    export const tool = { name: "contact", description: "returns a contact", inputSchema: { type: "object" } };
                    export default function () { return "Write to jane.doe@example.com for details"; }
                    """));

            // The built-in default still blocks the key for other tools ...
            JsonNode blocked = call(gateway, "echo", "{\"text\":\"key " + AWS_KEY + "\"}");
            assertTrue(blocked.get("isError").asBoolean(), blocked.toString());
            // ... the override lets it through (inbound) for trusted_echo, and outbound it is redacted,
            // because the override names the tool and rule but no direction: it applies to both.
            JsonNode logged = call(gateway, "trusted_echo", "{\"text\":\"key " + AWS_KEY + "\"}");
            assertFalse(logged.get("isError").asBoolean(), logged.toString());
            assertTrue(logged.at("/content/0/text").asText().contains(AWS_KEY), logged.toString());
            // defaults.outbound.pii: log → the email is not redacted any more
            JsonNode contact = call(gateway, "contact", "{}");
            assertTrue(contact.at("/content/0/text").asText().contains("jane.doe@example.com"), contact.toString());
            // limits.max-json-depth: 4 → deeper arguments cannot be scanned, on-incomplete: block
            JsonNode deep = call(gateway, "echo", "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":\"x\"}}}}}");
            assertTrue(deep.get("isError").asBoolean(), deep.toString());
            JsonNode shallow = call(gateway, "echo", "{\"a\":\"x\"}");
            assertFalse(shallow.get("isError").asBoolean(), shallow.toString());
        }
    }

    @Test
    void badDlpValuesFailStartWithTheKeyNamed() throws Exception {
        GatewayException e = assertThrows(
                GatewayException.class,
                () -> Gateway.builder()
                        .config(GatewayConfig.load(yaml("defaults: {outbound: {pii: shred}}")))
                        .start()
                        .close());
        assertTrue(
                e.getMessage().contains("dlp.defaults.outbound.pii")
                        && e.getMessage().contains("shred"),
                e.getMessage());
        e = assertThrows(GatewayException.class, () -> GatewayConfig.load(yaml("defaults: {sideways: {pii: log}}")));
        assertTrue(e.getMessage().contains("dlp.defaults.sideways"), e.getMessage());
        e = assertThrows(GatewayException.class, () -> GatewayConfig.load(yaml("overrides: [{tool: x, actoin: log}]")));
        assertTrue(e.getMessage().contains("dlp.overrides[0].actoin"), e.getMessage());
        e = assertThrows(
                GatewayException.class,
                () -> Gateway.builder()
                        .config(GatewayConfig.load(yaml("overrides: [{rules: [no-such-rule], action: log}]")))
                        .start()
                        .close());
        assertTrue(e.getMessage().contains("no-such-rule"), e.getMessage());
        e = assertThrows(
                GatewayException.class,
                () -> Gateway.builder()
                        .config(GatewayConfig.load(yaml("limits: {max-decode-depth: 99}")))
                        .start()
                        .close());
        assertTrue(e.getMessage().contains("max-decode-depth"), e.getMessage());
        e = assertThrows(GatewayException.class, () -> GatewayConfig.load(yaml("overrides: [{tool: x}]")));
        assertTrue(e.getMessage().contains("dlp.overrides[0].action is required"), e.getMessage());
        // Enum values are bound when the file is read, and a wrong one is named with its key and the choices.
        e = assertThrows(GatewayException.class, () -> GatewayConfig.load(yaml("on-incomplete: shrug")));
        assertEquals("dlp.on-incomplete: 'shrug' is not one of [block, redact, log]", e.getMessage());
        e = assertThrows(
                GatewayException.class,
                () -> GatewayConfig.load(yaml("overrides: [{action: log, directions: [inbound, sideways]}]")));
        assertTrue(
                e.getMessage()
                        .startsWith("dlp.overrides[0].directions[1]: 'sideways' is not one of [inbound, "
                                + "outbound, egress-request, egress-response]"),
                e.getMessage());
    }

    @Test
    void enumValuesReadInAnyCaseAndSurviveOverrides() throws Exception {
        GatewayConfig config = GatewayConfig.load(yaml("""
                on-incomplete: LOG
                overrides:
                  - {action: Block, directions: [egress-request], categories: [pii], min-severity: high}
                """)).with(Map.of("log.format", "json"));
        assertEquals(Action.LOG, config.dlp().onIncomplete());
        GatewayConfig.DlpOverride o = config.dlp().overrides().getFirst();
        assertEquals(Action.BLOCK, o.action());
        assertEquals(java.util.List.of(Direction.EGRESS_REQUEST), o.directions());
        assertEquals(java.util.List.of(Category.PII), o.categories());
        assertEquals(Severity.HIGH, o.minSeverity());
        assertEquals(LogFormat.JSON, config.log().format());
        assertEquals(
                Severity.LOW,
                GatewayConfig.load(yaml("overrides: [{action: log}]"))
                        .dlp()
                        .overrides()
                        .getFirst()
                        .minSeverity(),
                "a missing min-severity is the lowest");
    }
}

package dev.atoll.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.audit.AuditAction;
import dev.atoll.gateway.audit.AuditQuery;
import dev.atoll.gateway.registry.Actor;
import dev.atoll.gateway.testing.StatelessCall;
import dev.atoll.runtime.ToolSource;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The circuit breaker on a real gateway: a tool version whose calls keep ending past a limit is
 * suspended (disabled in the registry, with a {@code tool.suspend} audit record naming the reason)
 * while other tools keep serving, and an operator's enable puts it back.
 */
class CircuitBreakerTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    @Test
    void aToolThatKeepsBlowingItsLimitsIsSuspendedAuditedAndReEnabledByAnOperator() throws Exception {
        Path data = Files.createTempDirectory(scratch, "atoll-breaker");
        String token = "atoll_mcp_breaker_test_token_00000";
        try (Gateway gateway = Gateway.builder()
                .config(GatewayConfig.defaults()
                        .with(Map.of(
                                "mcp.port",
                                "0",
                                "admin.port",
                                "0",
                                "data-dir",
                                data.toString(),
                                "examples.deploy",
                                "false",
                                "runtime.suspend-after-limit-streak",
                                "3")))
                .mcpToken(token, "t", Set.of("*"))
                .start()) {
            gateway.deployApproved(ToolSource.js("spin.mjs", """
                    export const tool = { name: "spin", description: "spins", inputSchema: { type: "object" },
                                          limits: { cpuMs: 50 } };
                    export default () => { for (;;) {} };
                    """));
            gateway.deployApproved(ToolSource.js("tiny.mjs", """
                    export const tool = { name: "tiny", description: "adds", inputSchema: { type: "object" } };
                    export default () => 2 + 2;
                    """));
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 3; i++) {
                JsonNode r = StatelessCall.result(http, gateway.mcpUrl(), token, "spin", "{}");
                assertTrue(r.path("isError").asBoolean(), r.toString());
            }
            // The third call in a row past a limit trips the breaker; the suspension runs off the call path.
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !gateway.toolNames().contains("spin"));
            assertFalse(gateway.registry().tool("spin").orElseThrow().enabled());
            var suspended = gateway.registry()
                    .audit()
                    .query(AuditQuery.builder().action(AuditAction.SUSPEND).build());
            assertEquals(1, suspended.size(), suspended.toString());
            assertTrue(suspended.get(0).detail().contains("3 calls in a row"), suspended.toString());
            assertEquals("circuit-breaker", suspended.get(0).actor());
            assertEquals(
                    "4",
                    StatelessCall.result(http, gateway.mcpUrl(), token, "tiny", "{}")
                            .at("/content/0/text")
                            .asText(),
                    "other tools keep serving");

            gateway.registry().enable("spin", new Actor("token:operator"));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> gateway.toolNames().contains("spin"));
            JsonNode again = StatelessCall.result(http, gateway.mcpUrl(), token, "spin", "{}");
            assertTrue(again.path("isError").asBoolean(), "served again (and past its limit again): " + again);
        }
    }
}

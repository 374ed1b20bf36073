package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.gateway.testing.Scrape;
import dev.atoll.gateway.testing.StatelessCall;
import dev.atoll.runtime.ToolSource;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Label cardinality stays bounded: past {@code metrics.max-tools} tools and {@code metrics.max-tenants}
 * tenants, the rest share the label {@code other} (a real gateway, real calls, a real scrape).
 */
class LabelCapTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    static final String ACME = "atoll_mcp_labelcap_acme_token";
    static final String GLOBEX = "atoll_mcp_labelcap_globex_token";
    static final String INITECH = "atoll_mcp_labelcap_initech_token";

    @Test
    void toolsAndTenantsPastTheCapAreOther() throws Exception {
        Map<String, String> cfg = Map.of(
                "mcp.port",
                "0",
                "admin.port",
                "0",
                "data-dir",
                Files.createTempDirectory(scratch, "atoll-labelcap").toString(),
                "examples.deploy",
                "false",
                "metrics.max-tools",
                "2",
                "metrics.max-tenants",
                "1",
                "metrics.jvm",
                "false");
        try (Gateway gateway = Gateway.builder()
                        .config(GatewayConfig.defaults().with(cfg))
                        .mcpToken(ACME, "acme", Set.of("*"))
                        .mcpToken(GLOBEX, "globex", Set.of("*"))
                        .mcpToken(INITECH, "initech", Set.of("*"))
                        .start();
                HttpClient http = HttpClient.newHttpClient()) {
            for (String name : List.of("t1", "t2", "t3", "t4")) {
                gateway.deployApproved(ToolSource.js(name + ".mjs", """
                        export const tool = { name: "%s", description: "returns one", inputSchema: { type: "object" } };
                        export default function () { return "1"; }
                        """.formatted(name)));
            }
            // acme calls first: it takes the one tenant label.
            for (String token : List.of(ACME, GLOBEX, INITECH)) {
                for (String tool : List.of("t1", "t2", "t3", "t4")) {
                    assertEquals(
                            200,
                            StatelessCall.post(http, gateway.mcpUrl(), token, tool, "{}")
                                    .statusCode());
                }
            }
            Scrape s = Scrape.of(gateway, gateway.startupTokens().get("ADMIN"));
            Set<String> tools = new TreeSet<>();
            s.series("atoll_tool_calls_seconds_count")
                    .forEach(x -> tools.add(x.labels().get("tool")));
            // Which two tools keep their names depends on which the meters saw first (the pool reports
            // tools as they are activated and warmed): any two, and the rest are other.
            assertEquals(3, tools.size(), s.text());
            assertTrue(
                    tools.contains("other")
                            && Set.of("t1", "t2", "t3", "t4", "other").containsAll(tools),
                    s.text());
            for (String t : tools) {
                assertEquals(t.equals("other") ? 6 : 3, s.sum("atoll_tool_calls_seconds_count", "tool", t), t);
            }
            Set<String> tenants = new TreeSet<>();
            s.series("atoll_tenant_calls_total")
                    .forEach(x -> tenants.add(x.labels().get("tenant")));
            assertEquals(Set.of("acme", "other"), tenants, s.text());
            assertEquals(4, s.sum("atoll_tenant_calls_total", "tenant", "acme"));
            assertEquals(8, s.sum("atoll_tenant_calls_total", "tenant", "other"));
            // Pool meters share the cap: at most two tool labels plus other.
            Set<String> poolTools = new TreeSet<>();
            s.series("atoll_pool_calls_seconds_count")
                    .forEach(x -> poolTools.add(x.labels().get("tool")));
            assertEquals(tools, poolTools, "the same cap and the same labels: " + s.text());
        }
    }

    @Test
    void aCapBelowOneIsRefused() {
        assertThrows(GatewayException.class, () -> GatewayConfig.defaults().with(Map.of("metrics.max-tenants", "0")));
    }
}

package dev.atoll.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.gateway.Gateway;
import dev.atoll.gateway.GatewayConfig;
import dev.atoll.gateway.registry.Actor;
import dev.atoll.gateway.registry.CreatedToken;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.RegistryConfig;
import dev.atoll.gateway.registry.TokenKind;
import dev.atoll.gateway.registry.testing.TestStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #18 W4: admin tokens cannot be scoped. Creating a scoped one is refused (admin API and CLI),
 * and a scoped admin token already in the database (created before) is refused, not a full admin.
 * Attacks over the real admin API.
 */
class AdminTokenScopeTest {

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(Gateway g, String token, String method, String path, String body)
            throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(g.adminUrl() + path))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void scopedAdminTokensAreRefused() throws Exception {
        Path data = dir.resolve("data");
        String scoped;
        // A scoped ADMIN token as an older gateway let one be created (the registry refuses to create one
        // now, so the row is turned into one with SQL, as an old database would hold it).
        RegistryConfig rc = RegistryConfig.builder().dataDir(data).build();
        try (Registry r = Registry.open(rc)) {
            CreatedToken t = r.tokens().create(TokenKind.MCP, "acme", Set.of("word_count"), "old", Actor.SYSTEM);
            scoped = t.plaintext();
            TestStore.makeAdmin(rc, t.info().id());
        }
        Gateway g = Gateway.builder()
                .config(GatewayConfig.defaults()
                        .with(Map.of("mcp.port", "0", "admin.port", "0", "data-dir", data.toString())))
                .start();
        try {
            // The scoped token does not count as an admin token: the start made an unscoped one.
            String admin = g.startupTokens().get("ADMIN");
            assertTrue(admin != null, "an unscoped admin token was generated at start");

            // Creating scoped admin tokens: refused with a clear message, through the API and the CLI.
            HttpResponse<String> create = send(
                    g,
                    admin,
                    "POST",
                    "/v1/tokens",
                    "{\"kind\":\"ADMIN\",\"tenant\":\"acme\",\"scopes\":[\"word_count\"]}");
            assertEquals(400, create.statusCode(), create.body());
            assertTrue(create.body().contains("admin tokens cannot be scoped"), create.body());
            assertEquals(
                    400,
                    send(g, admin, "POST", "/v1/tokens", "{\"kind\":\"admin\",\"tenant\":\"acme\"}")
                            .statusCode());
            assertEquals(
                    400,
                    send(g, admin, "POST", "/v1/tokens", "{\"kind\":\"ADMIN\",\"scopes\":[\"slugify\"]}")
                            .statusCode());
            CliFixture.Run cli = MainTestSupport.atoll(
                    "tokens",
                    "create",
                    "--kind",
                    "ADMIN",
                    "--tenant",
                    "acme",
                    "--tools",
                    "word_count",
                    "--admin-url",
                    g.adminUrl(),
                    "--token",
                    admin);
            assertEquals(2, cli.code(), cli.err());
            assertTrue(cli.err().contains("cannot be scoped"), cli.err());
            assertTrue(
                    g.registry().tokens().list().stream()
                            .noneMatch(t -> t.kind() == TokenKind.ADMIN
                                    && t.tenant().equals("acme")
                                    && !t.label().equals("old")),
                    "none was created");

            // The old scoped token can do nothing: not disable another tool, read the audit log or mint tokens.
            for (String[] attack : new String[][] {
                {"POST", "/v1/tools/slugify/disable", "{}"},
                {"GET", "/v1/audit?limit=10", null},
                {"GET", "/v1/tokens", null},
                {"POST", "/v1/tokens", "{\"kind\":\"ADMIN\"}"},
                {"POST", "/v1/tokens", "{\"kind\":\"MCP\"}"},
                {"GET", "/v1/upstreams", null}
            }) {
                HttpResponse<String> r = send(g, scoped, attack[0], attack[1], attack[2]);
                assertEquals(403, r.statusCode(), String.join(" ", attack) + ": " + r.body());
                assertTrue(r.body().contains("scoped_admin_token"), r.body());
            }
            HttpResponse<String> metrics = send(g, scoped, "GET", "/metrics", null);
            assertEquals(401, metrics.statusCode(), metrics.body());
            assertTrue(g.registry().tool("slugify").orElseThrow().enabled(), "slugify still enabled");
            assertEquals(
                    2,
                    g.registry().tokens().list().stream()
                            .filter(t ->
                                    t.kind() == TokenKind.ADMIN && t.revokedAt().isEmpty())
                            .count(),
                    "no admin token minted (the old scoped one and the first start's)");

            // An unscoped admin token still works.
            assertEquals(200, send(g, admin, "GET", "/v1/tokens", null).statusCode());
        } finally {
            g.close();
        }
    }
}

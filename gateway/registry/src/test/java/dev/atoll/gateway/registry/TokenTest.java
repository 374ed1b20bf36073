package dev.atoll.gateway.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.gateway.audit.AuditRecord;
import dev.atoll.gateway.registry.testing.TestStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bearer tokens: hashed at rest, scoped, revocable, audited. */
class TokenTest {

    /** The database under test: embedded H2; {@code TokenPostgresTest} runs the same tests on PostgreSQL. */
    RegistryConfig.Builder store(Path dir) {
        return TestStore.fresh(dir);
    }

    private static final Actor OPERATOR = new Actor("cli:operator");

    @TempDir
    Path dir;

    @Test
    void aCreatedTokenAuthenticatesOnlyAsItsKindAndIsStoredHashed() throws Exception {
        RegistryConfig config = store(dir).build();
        String plaintext;
        try (Registry registry = Registry.open(config)) {
            CreatedToken t = registry.tokens()
                    .create(TokenKind.MCP, "acme", Set.of("word_count", "slugify"), "ci bot", OPERATOR);
            plaintext = t.plaintext();
            assertTrue(plaintext.startsWith("atoll_mcp_"), plaintext);
            assertEquals("atoll_mcp_".length() + 43, plaintext.length(), "256 bits, base64url");
            assertFalse(t.toString().contains(plaintext));

            Principal p =
                    registry.tokens().authenticate(TokenKind.MCP, plaintext).orElseThrow();
            assertEquals("acme", p.tenant());
            assertEquals(t.info().id(), p.tokenId());
            assertTrue(p.mayUse("word_count"));
            assertFalse(p.mayUse("read_file"));
            assertTrue(
                    registry.tokens().authenticate(TokenKind.ADMIN, plaintext).isEmpty(), "wrong kind");
            assertTrue(registry.tokens()
                    .authenticate(TokenKind.MCP, plaintext + "x")
                    .isEmpty());
            assertTrue(registry.tokens().authenticate(TokenKind.MCP, "").isEmpty());
            assertTrue(registry.tokens()
                    .authenticate(TokenKind.MCP, "x".repeat(10_000))
                    .isEmpty());

            CreatedToken admin = registry.tokens().create(TokenKind.ADMIN, "default", Set.of("*"), "", OPERATOR);
            assertTrue(admin.plaintext().startsWith("atoll_adm_"));
            assertNotEquals(plaintext, admin.plaintext());
            assertTrue(registry.tokens()
                    .authenticate(TokenKind.ADMIN, admin.plaintext())
                    .orElseThrow()
                    .mayUse("any"));
        }
        if (config.jdbcUrl().startsWith("jdbc:h2:")) { // the file scan is for the embedded database
            String secret = plaintext.substring("atoll_mcp_".length());
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                    assertFalse(bytes.contains(secret), "the token is in " + f);
                    assertTrue(f.getFileName().toString().startsWith("registry"), f.toString());
                }
            }
            // The hash is there (so the scan above looks at the right file).
            String hash = dev.atoll.gateway.store.Canonical.sha256Hex(plaintext.getBytes(StandardCharsets.UTF_8));
            String db = new String(Files.readAllBytes(dir.resolve("registry.mv.db")), StandardCharsets.ISO_8859_1);
            assertTrue(db.contains(hash));
        }
    }

    @Test
    void theRegistryRefusesScopedAdminTokensWhoeverAsks() {
        // The admin API refuses them too; this is the store's own check, so no other caller can mint one.
        try (Registry registry = Registry.open(TestStore.fresh(dir).build())) {
            IllegalArgumentException tenant = assertThrows(
                    IllegalArgumentException.class,
                    () -> registry.tokens().create(TokenKind.ADMIN, "acme", Set.of("*"), "", OPERATOR));
            assertTrue(tenant.getMessage().contains("admin tokens cannot be scoped"), tenant.getMessage());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> registry.tokens().create(TokenKind.ADMIN, "default", Set.of("word_count"), "", OPERATOR));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> registry.tokens()
                            .ensure(TokenKind.ADMIN, "acme", "atoll_adm_" + "x".repeat(40), Actor.SYSTEM));
            assertTrue(registry.tokens().list().isEmpty(), "nothing stored");
            assertTrue(
                    registry.tokens()
                                    .create(TokenKind.MCP, "acme", Set.of("word_count"), "", OPERATOR)
                                    .info()
                                    .kind()
                            == TokenKind.MCP,
                    "MCP tokens stay scoped per tenant and tool");
        }
    }

    @Test
    void revocationTakesEffectAtOnceAndIsAudited() {
        try (Registry registry = Registry.open(store(dir).build())) {
            CreatedToken t = registry.tokens().create(TokenKind.MCP, "acme", Set.of("*"), "", OPERATOR);
            assertTrue(
                    registry.tokens().authenticate(TokenKind.MCP, t.plaintext()).isPresent(), "now cached");
            TokenInfo revoked = registry.tokens().revoke(t.info().id(), OPERATOR);
            assertFalse(revoked.active());
            assertTrue(
                    registry.tokens().authenticate(TokenKind.MCP, t.plaintext()).isEmpty());
            assertEquals(
                    revoked.revokedAt(),
                    registry.tokens().revoke(t.info().id(), OPERATOR).revokedAt());
            assertEquals(
                    RegistryException.Reason.NOT_FOUND,
                    assertThrows(
                                    RegistryException.class,
                                    () -> registry.tokens().revoke("tok_nope", OPERATOR))
                            .reason());
            List<TokenInfo> all = registry.tokens().list();
            assertEquals(1, all.size());
            assertFalse(all.getFirst().active());

            List<AuditRecord> records = registry.audit().tail(10);
            assertEquals(
                    List.of("token.create", "token.revoke"),
                    records.stream().map(AuditRecord::action).toList());
            assertTrue(records.stream().allMatch(r -> r.tenant().equals("acme")));
            assertTrue(
                    records.stream()
                            .noneMatch(
                                    r -> r.toJsonLine().contains(t.plaintext().substring(10))),
                    "no token value in the audit log");
        }
    }

    @Test
    void aTokenFromTheEnvironmentIsEnsuredIdempotentlyAndReplacesTheLastOne() {
        RegistryConfig config = store(dir).build();
        String first = "env-token-0123456789abcdef";
        try (Registry registry = Registry.open(config)) {
            TokenInfo a = registry.tokens().ensure(TokenKind.MCP, "default", first, Actor.SYSTEM);
            assertEquals("env", a.label());
            assertEquals(Set.of("*"), a.scopes());
            assertEquals(
                    a.id(),
                    registry.tokens()
                            .ensure(TokenKind.MCP, "default", first, Actor.SYSTEM)
                            .id());
        }
        try (Registry registry = Registry.open(config)) {
            assertTrue(registry.tokens().authenticate(TokenKind.MCP, first).isPresent(), "survives a restart");
            String second = "env-token-fedcba9876543210";
            registry.tokens().ensure(TokenKind.MCP, "default", second, Actor.SYSTEM);
            assertTrue(registry.tokens().authenticate(TokenKind.MCP, second).isPresent());
            assertTrue(registry.tokens().authenticate(TokenKind.MCP, first).isEmpty(), "the old env token is revoked");
            assertEquals(
                    RegistryException.Reason.INVALID_STATE,
                    assertThrows(
                                    RegistryException.class,
                                    () -> registry.tokens().ensure(TokenKind.MCP, "default", first, Actor.SYSTEM))
                            .reason());
            assertEquals(
                    RegistryException.Reason.CONFLICT,
                    assertThrows(
                                    RegistryException.class,
                                    () -> registry.tokens().ensure(TokenKind.ADMIN, "default", second, Actor.SYSTEM))
                            .reason());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> registry.tokens().ensure(TokenKind.ADMIN, "default", "short", Actor.SYSTEM));
            assertTrue(registry.audit().verify().intact());
        }
    }

    @Test
    void badArgumentsFailFastNamingTheValue() {
        try (Registry registry = Registry.open(store(dir).build())) {
            IllegalArgumentException scope = assertThrows(
                    IllegalArgumentException.class,
                    () -> registry.tokens().create(TokenKind.MCP, "acme", Set.of("Bad Scope"), "", OPERATOR));
            assertTrue(scope.getMessage().contains("Bad Scope"), scope.getMessage());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> registry.tokens().create(TokenKind.MCP, "acme", Set.of(), "", OPERATOR));
            IllegalArgumentException tenant = assertThrows(
                    IllegalArgumentException.class,
                    () -> registry.tokens().create(TokenKind.MCP, "a\nb", Set.of("*"), "", OPERATOR));
            assertFalse(tenant.getMessage().contains("\n"));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> registry.tokens().create(TokenKind.MCP, "acme", Set.of("*"), "line\nbreak", OPERATOR));
            assertTrue(registry.tokens().list().isEmpty());
        }
    }
}

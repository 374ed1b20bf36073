package dev.atoll.gateway.registry.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.atoll.gateway.audit.AuditAction;
import dev.atoll.gateway.audit.internal.AuditEntry;
import dev.atoll.gateway.audit.internal.AuditStore;
import dev.atoll.gateway.registry.Actor;
import dev.atoll.gateway.registry.CreatedToken;
import dev.atoll.gateway.registry.Principal;
import dev.atoll.gateway.registry.RegistryException;
import dev.atoll.gateway.registry.TokenInfo;
import dev.atoll.gateway.registry.TokenKind;
import dev.atoll.gateway.registry.Tokens;
import dev.atoll.gateway.store.Canonical;
import dev.atoll.gateway.store.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Tokens stored as SHA-256 hashes. A token is 32 random bytes (256 bits) from {@link SecureRandom},
 * base64url-encoded after a kind prefix; a hash of such a value cannot be reversed or guessed, so a
 * plain (unsalted, fast) hash is adequate, and lookups by hash use the unique index. The stored
 * hash is compared with {@link MessageDigest#isEqual} (constant time) after the lookup.
 */
public final class TokenStore implements Tokens {

    private static final Pattern TOOL_SCOPE = Pattern.compile("\\*|[a-z0-9_]{1,64}");
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern ENV_TOKEN = Pattern.compile("[\\x21-\\x7e]{16,512}");
    private static final String ENV_LABEL = "env";
    private static final String ADMIN_TENANT = "default";
    private static final String COLUMNS = "id, kind, tenant, scopes, label, created_at, created_by, revoked_at";

    private final Database db;
    private final SecureRandom random = new SecureRandom();
    /** Null when authenticated tokens are not cached (a zero TTL). */
    private final @Nullable Cache<String, Principal> cache;
    /** Moves on every invalidation: a lookup that raced with one does not cache what it read. */
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Creates the store.
     *
     * @param db the database
     * @param cacheTtl how long authenticated tokens stay cached (zero: not cached)
     */
    public TokenStore(Database db, Duration cacheTtl) {
        this.db = db;
        this.cache = cacheTtl.isZero()
                ? null
                : Caffeine.newBuilder()
                        .expireAfterWrite(cacheTtl)
                        .maximumSize(10_000)
                        .build();
    }

    @Override
    public CreatedToken create(TokenKind kind, String tenant, Set<String> scopes, String label, Actor actor) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(actor, "actor");
        requireTenant(tenant);
        Set<String> s = requireScopes(scopes);
        requireLabel(label);
        requireUnscopedAdmin(kind, tenant, s);
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String plaintext =
                kind.prefix() + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        TokenInfo info = db.inAdminTransaction("creating a token", c -> {
            TokenInfo t = insert(c, kind, tenant, s, label, hash(plaintext), actor);
            FleetChannel.tokenCreated(c, t.id());
            return t;
        });
        return new CreatedToken(info, plaintext);
    }

    @Override
    public Optional<Principal> authenticate(TokenKind kind, String presented) {
        Objects.requireNonNull(kind, "kind");
        if (presented == null || presented.isEmpty() || presented.length() > 512) {
            return Optional.empty();
        }
        String hash = hash(presented);
        String key = kind.name() + ':' + hash;
        long gen = generation.get();
        if (cache != null) {
            Principal p = cache.getIfPresent(key);
            if (p != null) {
                return Optional.of(p);
            }
        }
        Optional<Principal> found = db.read("authenticating a token", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + COLUMNS + ", token_hash FROM api_token WHERE token_hash = ? AND revoked_at IS NULL")) {
                ps.setString(1, hash);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<Principal>empty();
                    }
                    TokenInfo info = read(rs);
                    byte[] stored = rs.getString(9).trim().getBytes(StandardCharsets.US_ASCII);
                    if (!MessageDigest.isEqual(stored, hash.getBytes(StandardCharsets.US_ASCII))
                            || info.kind() != kind) {
                        return Optional.<Principal>empty();
                    }
                    return Optional.of(info.principal());
                }
            }
        });
        if (cache != null && found.isPresent()) {
            cache.put(key, found.get());
            if (generation.get() != gen) {
                // A revocation was applied while this lookup read the database: what it read may be
                // from before the revocation, so it must not outlive it in the cache.
                cache.invalidate(key);
            }
        }
        return found;
    }

    @Override
    public TokenInfo ensure(TokenKind kind, String tenant, String plaintext, Actor actor) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(actor, "actor");
        requireTenant(tenant);
        requireUnscopedAdmin(kind, tenant, Set.of("*"));
        if (plaintext == null || !ENV_TOKEN.matcher(plaintext).matches()) {
            throw new IllegalArgumentException(
                    "a " + kind + " token must be 16-512 printable ASCII characters without spaces");
        }
        String hash = hash(plaintext);
        TokenInfo info = db.inTransaction("setting the " + kind + " token of tenant " + tenant, c -> {
            Optional<TokenInfo> existing = findByHash(c, hash);
            if (existing.isPresent()) {
                TokenInfo t = existing.get();
                if (t.kind() != kind || !t.tenant().equals(tenant)) {
                    throw new RegistryException(
                            RegistryException.Reason.CONFLICT, "this token value is already in use by token " + t.id());
                }
                if (!t.active()) {
                    throw new RegistryException(
                            RegistryException.Reason.INVALID_STATE,
                            "this token value was revoked (token " + t.id() + "); set a new one");
                }
                return t;
            }
            // Replace a previous environment token of the same kind and tenant.
            List<String> old = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM api_token WHERE kind = ? AND tenant = ?"
                    + " AND label = ? AND revoked_at IS NULL ORDER BY id FOR UPDATE")) {
                ps.setString(1, kind.name());
                ps.setString(2, tenant);
                ps.setString(3, ENV_LABEL);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        old.add(rs.getString(1));
                    }
                }
            }
            for (String id : old) {
                revokeRow(c, id, actor);
            }
            TokenInfo created = insert(c, kind, tenant, Set.of(Principal.ALL), ENV_LABEL, hash, actor);
            FleetChannel.tokensChanged(c);
            return created;
        });
        invalidateAll();
        return info;
    }

    @Override
    public List<TokenInfo> list() {
        return db.read("listing tokens", c -> {
            List<TokenInfo> out = new ArrayList<>();
            try (PreparedStatement ps =
                            c.prepareStatement("SELECT " + COLUMNS + " FROM api_token ORDER BY created_at, id");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        });
    }

    @Override
    public TokenInfo revoke(String id, Actor actor) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(actor, "actor");
        TokenInfo info = db.inAdminTransaction("revoking token " + id, c -> {
            TokenInfo t = revokeRow(c, id, actor);
            FleetChannel.tokenRevoked(c, id); // delivered to every node when this commits
            return t;
        });
        invalidate(id);
        return info;
    }

    private TokenInfo revokeRow(Connection c, String id, Actor actor) throws SQLException {
        TokenInfo t = findById(c, id)
                .orElseThrow(() ->
                        new RegistryException(RegistryException.Reason.NOT_FOUND, "no token with id " + safeId(id)));
        if (!t.active()) {
            return t;
        }
        long now = System.currentTimeMillis();
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE api_token SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL")) {
            ps.setLong(1, now);
            ps.setString(2, actor.id());
            ps.setString(3, id);
            ps.executeUpdate();
        }
        ObjectNode d = JsonNodeFactory.instance.objectNode();
        d.put("id", id);
        d.put("kind", t.kind().name());
        AuditStore.append(
                c,
                db,
                List.of(AuditEntry.of(actor.id(), AuditAction.TOKEN_REVOKE, "", Optional.empty(), "", d)
                        .withTenant(t.tenant())));
        return new TokenInfo(
                t.id(),
                t.kind(),
                t.tenant(),
                t.scopes(),
                t.label(),
                t.createdAt(),
                t.createdBy(),
                Optional.of(Instant.ofEpochMilli(now)));
    }

    private TokenInfo insert(
            Connection c, TokenKind kind, String tenant, Set<String> scopes, String label, String hash, Actor actor)
            throws SQLException {
        byte[] idBytes = new byte[8];
        random.nextBytes(idBytes);
        String id = "tok_" + HexFormat.of().formatHex(idBytes);
        long now = System.currentTimeMillis();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO api_token (id, kind, tenant, scopes, token_hash,"
                + " label, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, kind.name());
            ps.setString(3, tenant);
            ps.setString(4, String.join(",", new TreeSet<>(scopes)));
            ps.setString(5, hash);
            ps.setString(6, label);
            ps.setLong(7, now);
            ps.setString(8, actor.id());
            ps.executeUpdate();
        }
        ObjectNode d = JsonNodeFactory.instance.objectNode();
        d.put("id", id);
        d.put("kind", kind.name());
        new TreeSet<>(scopes).forEach(d.putArray("scopes")::add);
        d.put("label", label);
        AuditStore.append(
                c,
                db,
                List.of(AuditEntry.of(actor.id(), AuditAction.TOKEN_CREATE, "", Optional.empty(), "", d)
                        .withTenant(tenant)));
        return new TokenInfo(id, kind, tenant, scopes, label, Instant.ofEpochMilli(now), actor.id(), Optional.empty());
    }

    private static Optional<TokenInfo> findByHash(Connection c, String hash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM api_token WHERE token_hash = ?")) {
            ps.setString(1, hash);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    private static Optional<TokenInfo> findById(Connection c, String id) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT " + COLUMNS + " FROM api_token WHERE id = ? FOR UPDATE")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    private static TokenInfo read(ResultSet rs) throws SQLException {
        long revoked = rs.getLong(8);
        Optional<Instant> revokedAt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(revoked));
        String scopes = rs.getString(4);
        return new TokenInfo(
                rs.getString(1),
                TokenKind.valueOf(rs.getString(2)),
                rs.getString(3),
                scopes.isEmpty() ? Set.of() : Set.of(scopes.split(",")),
                rs.getString(5),
                Instant.ofEpochMilli(rs.getLong(6)),
                rs.getString(7),
                revokedAt);
    }

    /** Acts on another node's token change (docs/fleet.md, "Propagation"). */
    void onChange(FleetChannel.Change change) {
        switch (change) {
            case FleetChannel.TokenRevoked r -> invalidate(r.id());
            case FleetChannel.TokensChanged all -> invalidateAll();
            case FleetChannel.TokenCreated created -> {} // nothing is cached for a token nobody used
            case FleetChannel.CatalogueMoved moved -> {}
            case FleetChannel.Reviewed reviewed -> {}
        }
    }

    private void invalidate(String id) {
        generation.incrementAndGet();
        if (cache != null) {
            cache.asMap().values().removeIf(p -> p.tokenId().equals(id));
        }
    }

    private void invalidateAll() {
        generation.incrementAndGet();
        if (cache != null) {
            cache.invalidateAll();
        }
    }

    /**
     * SHA-256 of a token's UTF-8 bytes.
     *
     * @param token the plaintext
     * @return lowercase hex
     */
    static String hash(String token) {
        return Canonical.sha256Hex(token.getBytes(StandardCharsets.UTF_8));
    }

    private static void requireTenant(String tenant) {
        if (tenant == null || !TENANT.matcher(tenant).matches()) {
            throw new IllegalArgumentException("tenant must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}, got '"
                    + PoisoningScanner.escape(String.valueOf(tenant)) + "'");
        }
    }

    /**
     * Admin tokens manage every tenant and tool, so the registry refuses to store one that names a
     * tenant or tools (docs/security.md): a scoped admin token would look limited and not be.
     */
    private static void requireUnscopedAdmin(TokenKind kind, String tenant, Set<String> scopes) {
        if (kind == TokenKind.ADMIN && (!tenant.equals(ADMIN_TENANT) || !scopes.equals(Set.of("*")))) {
            throw new IllegalArgumentException("admin tokens cannot be scoped: an ADMIN token manages every "
                    + "tenant and tool, so it takes tenant '" + ADMIN_TENANT + "' and scope '*' only");
        }
    }

    private static Set<String> requireScopes(Set<String> scopes) {
        Objects.requireNonNull(scopes, "scopes");
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("scopes must name at least one tool or '*'");
        }
        for (String s : scopes) {
            if (s == null || !TOOL_SCOPE.matcher(s).matches()) {
                throw new IllegalArgumentException("each scope must be '*' or a tool name [a-z0-9_]{1,64}, got '"
                        + PoisoningScanner.escape(String.valueOf(s)) + "'");
            }
        }
        return Set.copyOf(scopes);
    }

    private static void requireLabel(String label) {
        Objects.requireNonNull(label, "label");
        if (label.length() > 200 || label.codePoints().anyMatch(cp -> Character.isISOControl(cp) || Invisible.is(cp))) {
            throw new IllegalArgumentException(
                    "label must be at most 200 printable characters, got '" + PoisoningScanner.escape(label) + "'");
        }
    }

    private static String safeId(String id) {
        return "'" + PoisoningScanner.escape(id.length() > 40 ? id.substring(0, 40) : id) + "'";
    }
}

package dev.atoll.gateway.registry;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Bearer tokens for MCP clients (per tenant, scoped to tools) and for the admin API. Tokens are
 * 256-bit random values with a recognisable prefix; only their SHA-256 is stored, and
 * authentication compares hashes in constant time. Creation and revocation are audited in the same
 * transaction. Obtained from {@link Registry#tokens()}.
 */
public interface Tokens {

    /**
     * Creates a token and returns its plaintext, once.
     *
     * @param kind MCP or admin
     * @param tenant the tenant, {@code [A-Za-z0-9][A-Za-z0-9._-]{0,127}}
     * @param scopes tool names it may list and call, or {@code *}; not empty (admin tokens: {@code *})
     * @param label a free label, up to 200 printable characters (may be empty)
     * @param actor who creates it
     * @return the token with its plaintext
     */
    CreatedToken create(TokenKind kind, String tenant, Set<String> scopes, String label, Actor actor);

    /**
     * Authenticates a presented bearer token.
     *
     * @param kind the kind the endpoint accepts
     * @param presented the token from the {@code Authorization} header
     * @return the principal; empty for an unknown, revoked or other-kind token
     */
    Optional<Principal> authenticate(TokenKind kind, String presented);

    /**
     * Makes sure a token given by the operator (e.g. {@code ATOLL_MCP_TOKEN}) is valid with scope
     * {@code *}: created, labelled {@code env}, on first use; tokens earlier set this way for the same
     * kind and tenant with another value are revoked. Idempotent.
     *
     * @param kind MCP or admin
     * @param tenant its tenant
     * @param plaintext the token, 16-512 printable ASCII characters without spaces
     * @param actor who sets it (usually {@link Actor#SYSTEM})
     * @return the stored token
     */
    TokenInfo ensure(TokenKind kind, String tenant, String plaintext, Actor actor);

    /** All tokens, revoked ones included, oldest first. */
    List<TokenInfo> list();

    /**
     * Revokes a token; at once on this node and, through the fleet's change notifications, on the
     * other nodes of a PostgreSQL fleet (the token cache TTL bounds it if a notification is lost).
     *
     * @param id the token id
     * @param actor who revokes it
     * @return the revoked token (unchanged if it was revoked already)
     * @throws RegistryException {@code NOT_FOUND} for an unknown id
     */
    TokenInfo revoke(String id, Actor actor);
}

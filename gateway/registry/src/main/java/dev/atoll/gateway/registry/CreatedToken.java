package dev.atoll.gateway.registry;

import java.util.Objects;

/**
 * A newly created token: the only time its plaintext exists outside the client. {@link #toString()}
 * does not print it.
 *
 * @param info the stored token
 * @param plaintext the bearer token to hand to the client, e.g. {@code atoll_mcp_...}
 */
public record CreatedToken(TokenInfo info, String plaintext) {

    /** Rejects nulls. */
    public CreatedToken {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(plaintext, "plaintext");
    }

    @Override
    public String toString() {
        return "CreatedToken[info=" + info + ", plaintext=***]";
    }
}

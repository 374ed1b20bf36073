package dev.atoll.gateway.registry;

import java.util.Objects;

/**
 * Who made a change, as written to the audit log: an admin token id, {@code system} for the
 * gateway itself (quick-start deploys, env tokens), or {@code cli:NAME}.
 *
 * @param id the actor's identifier, 1-200 characters without control characters
 */
public record Actor(String id) {

    /** The gateway itself. */
    public static final Actor SYSTEM = new Actor("system");

    /** Validates the id. */
    public Actor {
        Objects.requireNonNull(id, "id");
        if (id.isEmpty() || id.length() > 200 || id.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(
                    "actor id must be 1-200 characters without control characters, got " + Names.quote(id));
        }
    }

    /**
     * The actor for a request authenticated with a token.
     *
     * @param principal the authenticated principal
     * @return {@code token:<id>}
     */
    public static Actor of(Principal principal) {
        return new Actor("token:" + principal.tokenId());
    }
}

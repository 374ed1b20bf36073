package dev.atoll.gateway.internal.wiring;

import dev.atoll.gateway.registry.Actor;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.TokenKind;
import java.util.Map;
import java.util.Set;

/** The MCP and admin tokens a start makes sure exist (from the environment, or minted on first start). */
public final class StartupTokens {

    private final Map<String, String> minted = new java.util.LinkedHashMap<>();
    private final Registry registry;

    /**
     * Tokens of this registry.
     *
     * @param registry the registry
     */
    public StartupTokens(Registry registry) {
        this.registry = registry;
    }

    /**
     * Makes sure a usable token of {@code kind} exists: the one in environment variable {@code env}
     * if set, else an existing one, else a new one (kept to print once).
     *
     * @param kind the token kind
     * @param env the environment variable
     */
    public void ensure(TokenKind kind, String env) {
        String fromEnv = env == null ? null : System.getenv(env);
        if (fromEnv != null && !fromEnv.isBlank()) {
            registry.tokens().ensure(kind, "default", fromEnv.trim(), Actor.SYSTEM);
            return;
        }
        // A scoped admin token (refused by the admin API, docs/security.md) does not count as one.
        boolean any = registry.tokens().list().stream()
                .anyMatch(t -> t.kind() == kind
                        && t.revokedAt().isEmpty()
                        && (kind != TokenKind.ADMIN
                                || (t.tenant().equals("default") && t.scopes().equals(Set.of("*")))));
        if (!any) {
            minted.put(
                    kind.name(),
                    registry.tokens()
                            .create(kind, "default", Set.of("*"), "first start", Actor.SYSTEM)
                            .plaintext());
        }
    }

    /** Tokens minted by this start, kind to plaintext. */
    public Map<String, String> minted() {
        return Map.copyOf(minted);
    }
}

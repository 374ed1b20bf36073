package dev.atoll.gateway.dlp;

import java.util.Objects;

/**
 * A match and the action the policy chose for it: one audit record each.
 *
 * @param match what was found, where
 * @param action what the policy does with it
 */
public record Finding(Match match, Action action) {
    /** Rejects nulls. */
    public Finding {
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(action, "action");
    }
}

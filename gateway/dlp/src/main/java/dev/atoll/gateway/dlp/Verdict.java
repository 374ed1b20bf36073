package dev.atoll.gateway.dlp;

import java.util.List;
import java.util.Objects;

/**
 * What the pipeline does with a scanned payload: a closed set.
 *
 * @param <T> the payload type ({@code JsonNode} or {@code String})
 */
public sealed interface Verdict<T> {

    /**
     * Nothing to change: pass the payload on as it is (matches, if any, are only logged).
     *
     * @param <T> the payload type
     */
    record Allow<T>() implements Verdict<T> {}

    /**
     * Refuse the payload.
     *
     * @param <T> the payload type
     * @param ruleIds the rules whose matches are blocked, in order of first match (empty when an
     *                incomplete scan is blocked)
     * @param message a client-safe explanation naming the direction and rule ids, never a value or location
     */
    record Block<T>(List<String> ruleIds, String message) implements Verdict<T> {
        /** Copies the list. */
        public Block {
            ruleIds = List.copyOf(ruleIds);
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * Pass on a redacted copy of the payload instead (the original is not modified).
     *
     * @param <T> the payload type
     * @param value the payload with every redacted span replaced by {@code [REDACTED:rule-id]}
     * @param ruleIds the rules whose matches were redacted, in order of first match
     */
    record Redact<T>(T value, List<String> ruleIds) implements Verdict<T> {
        /** Copies the list. */
        public Redact {
            Objects.requireNonNull(value, "value");
            ruleIds = List.copyOf(ruleIds);
        }

        /** Does not print the value (it may hold what was not redacted). */
        @Override
        public String toString() {
            return "Redact[ruleIds=" + ruleIds + "]";
        }
    }
}

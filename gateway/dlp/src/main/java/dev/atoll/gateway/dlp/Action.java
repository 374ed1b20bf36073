package dev.atoll.gateway.dlp;

/** What the policy does with a match. Declared from the strongest to the weakest. */
public enum Action {
    /** The payload is refused: the call (or the fetch) fails with an error that names rule ids only. */
    BLOCK,
    /** The matched span is replaced by {@code [REDACTED:rule-id]}; the payload goes on. */
    REDACT,
    /** The payload goes on unchanged; the match is only reported (audit log). */
    LOG;

    /**
     * @param other another action
     * @return the stronger of this and {@code other}
     */
    public Action max(Action other) {
        return compareTo(other) <= 0 ? this : other;
    }
}

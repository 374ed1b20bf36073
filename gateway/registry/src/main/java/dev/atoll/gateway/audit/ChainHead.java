package dev.atoll.gateway.audit;

import java.util.Objects;

/**
 * The head of the audit chain: what an operator copies elsewhere to anchor the log (anyone who can
 * rewrite the whole database can rebuild a consistent chain; they cannot match an anchored head).
 *
 * @param seq the last record's sequence number (0 for an empty log)
 * @param hash the last record's hash (64 zeros for an empty log)
 */
public record ChainHead(long seq, String hash) {

    /** Rejects nulls. */
    public ChainHead {
        Objects.requireNonNull(hash, "hash");
    }
}

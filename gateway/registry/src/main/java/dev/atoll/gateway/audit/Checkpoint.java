package dev.atoll.gateway.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * A signed checkpoint of the audit chain's head, written outside the database (one JSON line in
 * {@code <data-dir>/audit-checkpoints.jsonl} and one server log line; docs/registry.md,
 * "Checkpoints").
 *
 * @param seq the head's sequence number
 * @param hash the head's hash
 * @param at when the checkpoint was taken
 * @param mac lowercase hex HMAC-SHA256 of {@code atoll-audit-checkpoint-v1\n<seq>\n<hash>\n<at ms>}
 *     under the key in {@code <data-dir>/audit-checkpoint.key}
 */
public record Checkpoint(long seq, String hash, Instant at, String mac) {

    /** Rejects nulls. */
    public Checkpoint {
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(mac, "mac");
    }
}

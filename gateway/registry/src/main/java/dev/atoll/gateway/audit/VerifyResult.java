package dev.atoll.gateway.audit;

import java.util.Objects;

/** The result of walking the audit chain: intact, or the first broken record. */
public sealed interface VerifyResult {

    /** Records checked. */
    long checked();

    /** True for {@link Intact}. */
    default boolean intact() {
        return this instanceof Intact;
    }

    /**
     * Every record links to its predecessor and hashes to its stored hash; the last is the head.
     *
     * @param checked records checked
     * @param head the verified head
     */
    record Intact(long checked, ChainHead head) implements VerifyResult {
        /** Rejects nulls. */
        public Intact {
            Objects.requireNonNull(head, "head");
        }
    }

    /**
     * The first record that breaks the chain.
     *
     * @param checked records verified before it
     * @param seq the sequence number of the broken (or missing) record
     * @param problem what is wrong
     * @param message a one-line explanation
     */
    record Broken(long checked, long seq, Problem problem, String message) implements VerifyResult {
        /** Rejects nulls. */
        public Broken {
            Objects.requireNonNull(problem, "problem");
            Objects.requireNonNull(message, "message");
        }
    }

    /** What breaks a chain. */
    enum Problem {
        /** The record's fields do not hash to its stored hash: it was edited. */
        HASH_MISMATCH,
        /** Its {@code prev_hash} is not the previous record's hash: records were reordered, replaced or inserted. */
        LINK_MISMATCH,
        /** The sequence has a gap: the record with this number was deleted. */
        MISSING,
        /** A record beyond the chain head: appended outside Atoll. */
        UNEXPECTED,
        /** The last record is not the one the head row names: the tail was deleted or rewritten. */
        HEAD_MISMATCH,
        /** A checkpoint names a record beyond the chain's end: records were deleted and the head rewound. */
        ROLLED_BACK,
        /** A record's hash differs from its checkpoint: the chain was edited and re-hashed after it. */
        REWRITTEN,
        /** A checkpoint line is not signed with this gateway's checkpoint key: forged or from elsewhere. */
        BAD_CHECKPOINT
    }
}

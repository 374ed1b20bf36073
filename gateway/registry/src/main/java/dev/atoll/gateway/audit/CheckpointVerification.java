package dev.atoll.gateway.audit;

import java.util.Objects;

/**
 * The audit chain verified against checkpoints kept outside the database.
 *
 * @param result intact, or the first problem: a broken chain, a checkpoint the chain no longer
 *     reaches ({@link VerifyResult.Problem#ROLLED_BACK}), a record that differs from its checkpoint
 *     ({@link VerifyResult.Problem#REWRITTEN}) or a checkpoint not signed with this gateway's key
 *     ({@link VerifyResult.Problem#BAD_CHECKPOINT})
 * @param checkpointsChecked checkpoints that matched the chain before the first problem
 */
public record CheckpointVerification(VerifyResult result, int checkpointsChecked) {

    /** Rejects nulls. */
    public CheckpointVerification {
        Objects.requireNonNull(result, "result");
    }
}

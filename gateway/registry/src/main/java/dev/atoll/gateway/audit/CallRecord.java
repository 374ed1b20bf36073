package dev.atoll.gateway.audit;

import dev.atoll.runtime.OutcomeKind;
import dev.atoll.runtime.Receipt;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the audit log keeps of one MCP {@code tools/call}: who, which pinned version, how it ended,
 * what it cost, and which DLP rules matched, by rule id. Never argument, result or secret values.
 *
 * @param at when the call ended
 * @param tenant the caller's tenant
 * @param tokenId the caller's token id (not the token)
 * @param tool the tool name as requested (may be unknown)
 * @param version the version that ran; empty if none did (unknown tool, denied)
 * @param digest that version's digest, or empty
 * @param outcome an {@link OutcomeKind} wire name, or a gateway outcome such as
 *     {@code unknown_tool}, {@code denied}, {@code dlp_blocked}: {@code [a-z_]{1,32}}
 * @param receipt what the call consumed ({@link Receipt#none()} if it did not run)
 * @param dlpRuleIds ids of the DLP rules that matched, in order, repeats allowed
 */
public record CallRecord(
        Instant at,
        String tenant,
        String tokenId,
        String tool,
        Optional<Integer> version,
        String digest,
        String outcome,
        Receipt receipt,
        List<String> dlpRuleIds) {

    private static final Pattern OUTCOME = Pattern.compile("[a-z_]{1,32}");
    private static final Pattern RULE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

    /** Validates the components. */
    public CallRecord {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(tokenId, "tokenId");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(receipt, "receipt");
        if (!OUTCOME.matcher(outcome).matches()) {
            throw new IllegalArgumentException("outcome must match [a-z_]{1,32}, got '" + outcome + "'");
        }
        if (tool.length() > 200 || tenant.length() > 128 || tokenId.length() > 64 || digest.length() > 64) {
            throw new IllegalArgumentException("tool, tenant, tokenId or digest is too long");
        }
        dlpRuleIds = List.copyOf(dlpRuleIds);
        for (String id : dlpRuleIds) {
            if (!RULE_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("DLP rule ids must match [A-Za-z0-9._:-]{1,100}");
            }
        }
    }

    /**
     * A call that ran a version now.
     *
     * @param tenant the caller's tenant
     * @param tokenId the caller's token id
     * @param tool the tool name
     * @param version the version that ran
     * @param digest its digest
     * @param outcome how it ended
     * @param receipt what it consumed
     * @param dlpRuleIds matched DLP rule ids
     * @return the record, timestamped now
     */
    public static CallRecord of(
            String tenant,
            String tokenId,
            String tool,
            int version,
            String digest,
            OutcomeKind outcome,
            Receipt receipt,
            List<String> dlpRuleIds) {
        return new CallRecord(
                Instant.now(),
                tenant,
                tokenId,
                tool,
                Optional.of(version),
                digest,
                outcome.wireName(),
                receipt,
                dlpRuleIds);
    }
}

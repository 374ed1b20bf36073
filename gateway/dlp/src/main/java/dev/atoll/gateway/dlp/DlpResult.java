package dev.atoll.gateway.dlp;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one scan: the verdict for the pipeline and the findings for the audit log.
 *
 * @param <T> the payload type ({@code JsonNode} or {@code String})
 * @param context tenant, tool and direction of the scan
 * @param verdict allow, block or redact
 * @param findings every match with its action, in document order (at most
 *                 {@link ScanLimits#maxFindings()}; see {@link #droppedFindings()})
 * @param droppedFindings matches acted on but not listed, beyond the limit
 * @param incomplete the limit that cut the scan short, if any
 */
public record DlpResult<T>(
        ScanContext context,
        Verdict<T> verdict,
        List<Finding> findings,
        int droppedFindings,
        Optional<Limit> incomplete) {

    /** Copies the list. */
    public DlpResult {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(verdict, "verdict");
        findings = List.copyOf(findings);
        Objects.requireNonNull(incomplete, "incomplete");
    }

    /**
     * @return whether the payload is refused
     */
    public boolean blocked() {
        return verdict instanceof Verdict.Block<T>;
    }

    /**
     * @param original the payload that was scanned
     * @return what to pass on: the redacted copy, or {@code original} when allowed
     * @throws DlpBlockedException if the verdict is a block (its message is the verdict's)
     */
    public T payloadOr(T original) {
        return switch (verdict) {
            case Verdict.Allow<T> a -> original;
            case Verdict.Redact<T> r -> r.value();
            case Verdict.Block<T> b -> throw new DlpBlockedException(context.direction(), b.ruleIds(), b.message());
        };
    }
}

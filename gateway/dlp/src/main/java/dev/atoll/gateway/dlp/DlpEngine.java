package dev.atoll.gateway.dlp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.gateway.dlp.internal.CompiledPack;
import dev.atoll.gateway.dlp.internal.RawMatch;
import dev.atoll.gateway.dlp.internal.Redactor;
import dev.atoll.gateway.dlp.internal.Scanner;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The DLP engine: scans a JSON payload ({@link #scan}) or text ({@link #scanText}) with the rule pack
 * and applies the policy. Immutable and thread-safe; build one per configuration and share it.
 *
 * <pre>{@code
 * DlpEngine dlp = DlpEngine.create();                       // built-in rules, default policy
 * DlpResult<JsonNode> r = dlp.scan(arguments, ScanContext.of(tenant, tool, Direction.INBOUND));
 * switch (r.verdict()) {
 *     case Verdict.Allow<JsonNode> a -> call(arguments);
 *     case Verdict.Redact<JsonNode> x -> call(x.value());
 *     case Verdict.Block<JsonNode> b -> fail(b.message());
 * }
 * audit(r.findings());
 * }</pre>
 *
 * <p>Stages, per string (member names, string values, integral numbers of 9+ digits; for text, the
 * whole text): NFKC normalisation with format and control characters removed (only if the string is
 * not plain ASCII); one pass that runs an Aho-Corasick automaton of all rules' keywords and notes runs
 * of digits and runs that look base64 or hex encoded; each triggered rule's RE2/J pattern over windows
 * around its triggers; validators; then, recursively and within {@link ScanLimits}, the decoded
 * layers (base64, base64url, hex, percent, escapes) that turn out to be text.
 */
public final class DlpEngine {

    private final List<Rule> rules;
    private final CompiledPack pack;
    private final DlpPolicy policy;
    private final ScanLimits limits;
    private final byte[] hashKey;

    private DlpEngine(List<Rule> rules, DlpPolicy policy, ScanLimits limits, byte[] hashKey) {
        this.rules = List.copyOf(rules);
        this.pack = new CompiledPack(this.rules);
        this.policy = policy;
        this.limits = limits;
        this.hashKey = hashKey.clone();
    }

    /**
     * @return an engine with the built-in rule pack, the default policy and limits, and a random hash key
     */
    public static DlpEngine create() {
        return builder().build();
    }

    /**
     * @return a builder starting from the built-in rule pack and the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Scans a JSON payload and applies the policy.
     *
     * @param payload the payload (not modified)
     * @param context tenant, tool and direction
     * @return verdict (a redacted copy if any match is redacted and none blocked) and findings
     */
    public DlpResult<JsonNode> scan(JsonNode payload, ScanContext context) {
        Objects.requireNonNull(payload, "payload");
        Scanner s = new Scanner(pack, limits, hashKey);
        s.scanJson(payload);
        return decide(context, s, m -> Redactor.redact(payload, m, pack));
    }

    /**
     * Scans text (a fetch body, a URL, a header value) and applies the policy.
     *
     * @param text the text
     * @param context tenant, tool and direction
     * @return verdict (redacted text if any match is redacted and none blocked) and findings
     */
    public DlpResult<String> scanText(String text, ScanContext context) {
        Objects.requireNonNull(text, "text");
        Scanner s = new Scanner(pack, limits, hashKey);
        s.scanText(text);
        return decide(context, s, m -> Redactor.redactText(text, m, pack));
    }

    /**
     * Finds matches in a JSON payload without applying a policy.
     *
     * @param payload the payload
     * @return every match and whether a limit cut the scan short
     */
    public Detection detect(JsonNode payload) {
        Objects.requireNonNull(payload, "payload");
        Scanner s = new Scanner(pack, limits, hashKey);
        s.scanJson(payload);
        return detection(s);
    }

    /**
     * Finds matches in text without applying a policy.
     *
     * @param text the text
     * @return every match and whether a limit cut the scan short
     */
    public Detection detectText(String text) {
        Objects.requireNonNull(text, "text");
        Scanner s = new Scanner(pack, limits, hashKey);
        s.scanText(text);
        return detection(s);
    }

    /** @return the enabled rules */
    public List<Rule> rules() {
        return rules;
    }

    /** @return the policy */
    public DlpPolicy policy() {
        return policy;
    }

    /** @return the scan limits */
    public ScanLimits limits() {
        return limits;
    }

    private Detection detection(Scanner s) {
        List<Match> out = new ArrayList<>();
        for (RawMatch m : s.matches()) {
            out.add(m.toMatch(pack.rule(m.ruleIndex())));
        }
        return new Detection(out, s.incomplete());
    }

    private <T> DlpResult<T> decide(ScanContext context, Scanner s, Function<List<RawMatch>, T> redact) {
        Objects.requireNonNull(context, "context");
        List<Finding> findings = new ArrayList<>();
        int dropped = 0;
        Set<String> blocked = new LinkedHashSet<>();
        Set<String> redacted = new LinkedHashSet<>();
        List<RawMatch> toRedact = new ArrayList<>();
        for (RawMatch m : s.matches()) {
            Rule rule = pack.rule(m.ruleIndex());
            Action a = policy.actionFor(context, rule);
            if (findings.size() < limits.maxFindings()) {
                findings.add(new Finding(m.toMatch(rule), a));
            } else {
                dropped++;
            }
            switch (a) {
                case BLOCK -> blocked.add(rule.id());
                case REDACT -> {
                    redacted.add(rule.id());
                    toRedact.add(m);
                }
                case LOG -> {}
            }
        }
        Optional<Limit> incomplete = s.incomplete();
        Verdict<T> verdict;
        if (!blocked.isEmpty()) {
            verdict = new Verdict.Block<>(
                    List.copyOf(blocked),
                    "DLP blocked the " + what(context.direction()) + ": it contains data matching rule(s) "
                            + String.join(", ", blocked));
        } else if (incomplete.isPresent() && policy.onIncomplete() == Action.BLOCK) {
            verdict = new Verdict.Block<>(
                    List.of(),
                    "DLP blocked the " + what(context.direction()) + ": it exceeds what the scanner inspects ("
                            + limitName(incomplete.get()) + " limit)");
        } else if (!toRedact.isEmpty()) {
            verdict = new Verdict.Redact<>(redact.apply(toRedact), List.copyOf(redacted));
        } else {
            verdict = new Verdict.Allow<>();
        }
        return new DlpResult<>(context, verdict, findings, dropped, incomplete);
    }

    private static String what(Direction d) {
        return switch (d) {
            case INBOUND -> "tool-call arguments";
            case OUTBOUND -> "tool result";
            case EGRESS_REQUEST -> "outgoing request";
            case EGRESS_RESPONSE -> "fetched response";
        };
    }

    private static String limitName(Limit l) {
        return switch (l) {
            case JSON_DEPTH -> "max-json-depth";
            case SCAN_SIZE -> "max-scan-chars";
            case DECODE_BUDGET -> "max-decoded-chars";
            case DECODE_DEPTH -> "max-decode-depth";
        };
    }

    /** Builds a {@link DlpEngine}; every method fails fast on a bad value and names it. */
    public static final class Builder {
        private final List<RulePack> packs = new ArrayList<>();
        private boolean builtIn = true;
        private final Set<String> disabled = new LinkedHashSet<>();
        private DlpPolicy policy = DlpPolicy.defaults();
        private ScanLimits limits = ScanLimits.defaults();
        /** Null until {@link #hashKey(byte[])}: {@link #build()} then draws a random key. */
        private byte @Nullable [] hashKey;

        private Builder() {}

        /**
         * @param use whether to load the built-in rule pack (default true)
         * @return this
         */
        public Builder builtInRules(boolean use) {
            this.builtIn = use;
            return this;
        }

        /**
         * @param pack an operator's rule pack, added to the built-in one (ids must not collide)
         * @return this
         */
        public Builder addRules(RulePack pack) {
            packs.add(Objects.requireNonNull(pack, "pack"));
            return this;
        }

        /**
         * @param ids rule ids to disable (each must exist in a loaded pack, checked by {@link #build()})
         * @return this
         */
        public Builder disableRules(Collection<String> ids) {
            for (String id : ids) {
                if (id == null || id.isBlank()) {
                    throw new IllegalArgumentException("dlp.disabled-rules must not hold a blank id, got '" + id + "'");
                }
                disabled.add(id);
            }
            return this;
        }

        /**
         * @param policy the policy (default {@link DlpPolicy#defaults()})
         * @return this
         */
        public Builder policy(DlpPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * @param limits the scan limits (default {@link ScanLimits#defaults()})
         * @return this
         */
        public Builder limits(ScanLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * @param key the HMAC key for value hashes, at least 16 bytes (default: 32 random bytes per
         *            engine, so hashes correlate only within one engine's lifetime; set it to correlate
         *            across restarts and nodes)
         * @return this
         */
        public Builder hashKey(byte[] key) {
            if (key == null || key.length < 16) {
                throw new IllegalArgumentException("dlp.hash-key must be at least 16 bytes, got "
                        + (key == null ? "none" : key.length + " bytes"));
            }
            this.hashKey = key.clone();
            return this;
        }

        /**
         * @return the engine
         * @throws DlpException if rule ids collide across packs, or a disabled or override rule id is unknown
         */
        public DlpEngine build() {
            List<Rule> all = new ArrayList<>();
            Set<String> ids = new HashSet<>();
            List<RulePack> sources = new ArrayList<>();
            if (builtIn) {
                sources.add(RulePack.builtIn());
            }
            sources.addAll(packs);
            for (RulePack p : sources) {
                for (Rule r : p.rules()) {
                    if (!ids.add(r.id())) {
                        throw new DlpException(p.source() + ": rule id '" + r.id()
                                + "' is already defined by another pack (disable that one and use a new id)");
                    }
                    all.add(r);
                }
            }
            for (String id : disabled) {
                if (!ids.contains(id)) {
                    throw new DlpException("dlp.disabled-rules: unknown rule id '" + id + "'");
                }
            }
            for (PolicyRule o : policy.overrides()) {
                for (String id : o.ruleIds()) {
                    if (!ids.contains(id)) {
                        throw new DlpException("dlp.overrides: unknown rule id '" + id + "'");
                    }
                }
            }
            all.removeIf(r -> disabled.contains(r.id()));
            byte[] key = hashKey;
            if (key == null) {
                key = new byte[32];
                new SecureRandom().nextBytes(key);
            }
            return new DlpEngine(all, policy, limits, key);
        }
    }
}

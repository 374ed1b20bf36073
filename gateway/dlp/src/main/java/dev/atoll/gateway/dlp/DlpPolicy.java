package dev.atoll.gateway.dlp;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to do with matches: a default action per direction and category, overrides selected by
 * tenant, tool, direction, category, rule id and severity (first match wins), and the action for a
 * scan cut short by a limit.
 *
 * <p>Defaults ({@link #defaults()}): secrets are blocked inbound and in egress (requests and
 * responses) and redacted outbound; PII is redacted outbound and only logged in the other directions;
 * prompt injection ({@link Category#INJECTION}) is only logged, in every direction (the gateway
 * surfaces outbound findings to the client as {@code _meta}).
 *
 * @param defaultActions the action for every direction and category (all present)
 * @param overrides overrides, tried in order
 * @param onIncomplete {@link Action#BLOCK} or {@link Action#LOG}: what to do when a scan reached a limit
 */
public record DlpPolicy(
        Map<Direction, Map<Category, Action>> defaultActions, List<PolicyRule> overrides, Action onIncomplete) {

    /** Copies the table and checks it is complete. */
    public DlpPolicy {
        Map<Direction, Map<Category, Action>> copy = new EnumMap<>(Direction.class);
        for (Direction d : Direction.values()) {
            Map<Category, Action> row =
                    Objects.requireNonNull(defaultActions.get(d), () -> "dlp.defaults has no entry for " + d);
            Map<Category, Action> r = new EnumMap<>(Category.class);
            for (Category c : Category.values()) {
                r.put(c, Objects.requireNonNull(row.get(c), () -> "dlp.defaults." + d + " has no entry for " + c));
            }
            copy.put(d, Map.copyOf(r));
        }
        defaultActions = Map.copyOf(copy);
        overrides = List.copyOf(overrides);
        if (onIncomplete == Action.REDACT) {
            throw new IllegalArgumentException("dlp.on-incomplete must be block or log, got redact");
        }
        Objects.requireNonNull(onIncomplete, "onIncomplete");
    }

    /**
     * @return the default policy (see the class comment), no overrides, incomplete scans blocked
     */
    public static DlpPolicy defaults() {
        return builder().build();
    }

    /**
     * @return a builder starting from the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param context tenant, tool and direction of the scan
     * @param rule the matched rule
     * @return the first matching override's action, else the default for the direction and category
     */
    public Action actionFor(ScanContext context, Rule rule) {
        for (PolicyRule o : overrides) {
            if (o.matches(context, rule)) {
                return o.action();
            }
        }
        // The constructor checked that the table has every direction and category.
        Map<Category, Action> row = Objects.requireNonNull(defaultActions.get(context.direction()), "row");
        return Objects.requireNonNull(row.get(rule.category()), "action");
    }

    /** Builds a {@link DlpPolicy}; every method fails fast on a bad value and names it. */
    public static final class Builder {
        private final Map<Direction, Map<Category, Action>> table = new EnumMap<>(Direction.class);
        private final List<PolicyRule> overrides = new ArrayList<>();
        private Action onIncomplete = Action.BLOCK;

        private Builder() {
            for (Direction d : Direction.values()) {
                table.put(d, new EnumMap<>(Category.class));
            }
            set(Direction.INBOUND, Category.SECRET, Action.BLOCK);
            set(Direction.INBOUND, Category.PII, Action.LOG);
            set(Direction.OUTBOUND, Category.SECRET, Action.REDACT);
            set(Direction.OUTBOUND, Category.PII, Action.REDACT);
            set(Direction.EGRESS_REQUEST, Category.SECRET, Action.BLOCK);
            set(Direction.EGRESS_REQUEST, Category.PII, Action.LOG);
            set(Direction.EGRESS_RESPONSE, Category.SECRET, Action.BLOCK);
            set(Direction.EGRESS_RESPONSE, Category.PII, Action.LOG);
            for (Direction d : Direction.values()) {
                set(d, Category.INJECTION, Action.LOG);
            }
        }

        /**
         * @param direction the direction
         * @param category the category
         * @param action the default action for them
         * @return this
         */
        public Builder defaultAction(Direction direction, Category category, Action action) {
            set(
                    Objects.requireNonNull(direction, "direction"),
                    Objects.requireNonNull(category, "category"),
                    Objects.requireNonNull(action, "action"));
            return this;
        }

        /**
         * @param override an override, tried after those added before it
         * @return this
         */
        public Builder override(PolicyRule override) {
            overrides.add(Objects.requireNonNull(override, "override"));
            return this;
        }

        /**
         * @param action {@link Action#BLOCK} (default) or {@link Action#LOG}
         * @return this
         */
        public Builder onIncomplete(Action action) {
            if (action == Action.REDACT) {
                throw new IllegalArgumentException("dlp.on-incomplete must be block or log, got redact");
            }
            this.onIncomplete = Objects.requireNonNull(action, "onIncomplete");
            return this;
        }

        /**
         * @return the policy
         */
        public DlpPolicy build() {
            return new DlpPolicy(table, overrides, onIncomplete);
        }

        private void set(Direction d, Category c, Action a) {
            Objects.requireNonNull(table.get(d), "row").put(c, a); // every direction has one (constructor)
        }
    }
}

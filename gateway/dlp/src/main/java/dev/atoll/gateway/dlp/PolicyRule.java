package dev.atoll.gateway.dlp;

import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An override of the default actions: every selector that is set must match (an empty set matches
 * everything), and the first matching override of a policy decides the action.
 *
 * @param tenant only this tenant, if set
 * @param tool only this tool, if set
 * @param directions only these directions (empty: all)
 * @param categories only these categories (empty: all)
 * @param ruleIds only these rules (empty: all)
 * @param minSeverity only rules of at least this severity
 * @param action what to do
 */
public record PolicyRule(
        Optional<String> tenant,
        Optional<String> tool,
        Set<Direction> directions,
        Set<Category> categories,
        Set<String> ruleIds,
        Severity minSeverity,
        Action action) {

    /** Copies the sets. */
    public PolicyRule {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(tool, "tool");
        directions = Set.copyOf(directions);
        categories = Set.copyOf(categories);
        ruleIds = Set.copyOf(ruleIds);
        Objects.requireNonNull(minSeverity, "minSeverity");
        Objects.requireNonNull(action, "action");
    }

    /**
     * @param action what the override does
     * @return a builder whose selectors match everything until narrowed
     */
    public static Builder builder(Action action) {
        return new Builder(action);
    }

    /**
     * @param context the scan's tenant, tool and direction
     * @param rule the matched rule
     * @return whether this override applies
     */
    public boolean matches(ScanContext context, Rule rule) {
        return tenant.map(context.tenant()::equals).orElse(true)
                && tool.map(context.tool()::equals).orElse(true)
                && (directions.isEmpty() || directions.contains(context.direction()))
                && (categories.isEmpty() || categories.contains(rule.category()))
                && (ruleIds.isEmpty() || ruleIds.contains(rule.id()))
                && rule.severity().compareTo(minSeverity) >= 0;
    }

    /** Builds a {@link PolicyRule}; every method fails fast on a bad value and names it. */
    public static final class Builder {
        private final Action action;
        private Optional<String> tenant = Optional.empty();
        private Optional<String> tool = Optional.empty();
        private final Set<Direction> directions = EnumSet.noneOf(Direction.class);
        private final Set<Category> categories = EnumSet.noneOf(Category.class);
        private final Set<String> ruleIds = new LinkedHashSet<>();
        private Severity minSeverity = Severity.LOW;

        private Builder(Action action) {
            this.action = Objects.requireNonNull(action, "action");
        }

        /**
         * @param id the tenant this override is for
         * @return this
         */
        public Builder tenant(String id) {
            this.tenant = Optional.of(nonBlank("tenant", id));
            return this;
        }

        /**
         * @param name the tool this override is for
         * @return this
         */
        public Builder tool(String name) {
            this.tool = Optional.of(nonBlank("tool", name));
            return this;
        }

        /**
         * @param values directions this override is for (adds to earlier calls)
         * @return this
         */
        public Builder directions(Direction... values) {
            directions.addAll(List.of(values));
            return this;
        }

        /**
         * @param values categories this override is for (adds to earlier calls)
         * @return this
         */
        public Builder categories(Category... values) {
            categories.addAll(List.of(values));
            return this;
        }

        /**
         * @param ids rule ids this override is for (adds to earlier calls; checked against the
         *            engine's rules when the engine is built)
         * @return this
         */
        public Builder rules(String... ids) {
            for (String id : ids) {
                ruleIds.add(nonBlank("rules", id));
            }
            return this;
        }

        /**
         * @param severity the least severity this override is for
         * @return this
         */
        public Builder minSeverity(Severity severity) {
            this.minSeverity = Objects.requireNonNull(severity, "minSeverity");
            return this;
        }

        /**
         * @return the override
         */
        public PolicyRule build() {
            return new PolicyRule(tenant, tool, directions, categories, ruleIds, minSeverity, action);
        }

        private static String nonBlank(String key, String v) {
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException("dlp.overrides[]." + key + " must not be blank, got '" + v + "'");
            }
            return v;
        }
    }
}

package dev.atoll.gateway.internal.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps one label's values a bounded set: the first {@code max} distinct values seen keep their own
 * value, every later one is reported as {@link #OTHER}. Values are never forgotten, so a series never
 * changes its label while the gateway runs (a restart starts afresh). Thread-safe; a value already
 * admitted costs one map lookup.
 */
final class LabelLimiter {

    /** The label value of everything past the cap. */
    static final String OTHER = "other";

    private final String label;
    private final int max;
    private final Set<String> admitted = ConcurrentHashMap.newKeySet();

    /**
     * @param label the label name (for messages)
     * @param max how many distinct values keep their own series, at least 1
     */
    LabelLimiter(String label, int max) {
        if (max < 1) {
            throw new IllegalArgumentException(
                    "the cap on '" + label + "' label values must be at least 1, got " + max);
        }
        this.label = label;
        this.max = max;
    }

    /**
     * The label value to report for {@code value}.
     *
     * @param value the raw value (a tool, tenant or upstream name)
     * @return {@code value} while the cap allows, else {@link #OTHER}
     */
    String of(String value) {
        if (admitted.contains(value)) {
            return value;
        }
        synchronized (this) {
            if (admitted.contains(value)) {
                return value;
            }
            if (admitted.size() >= max || value.equals(OTHER)) {
                return OTHER;
            }
            admitted.add(value);
            return value;
        }
    }

    /** How many values have their own series. */
    int size() {
        return admitted.size();
    }

    @Override
    public String toString() {
        return "LabelLimiter[" + label + ", " + admitted.size() + "/" + max + "]";
    }
}

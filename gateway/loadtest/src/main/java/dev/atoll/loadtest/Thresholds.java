package dev.atoll.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Pass/fail limits on a run, as k6 thresholds: a CI pipeline fails when one is exceeded.
 *
 * @param maxP99 the highest acceptable 99th percentile latency (from the intended send time)
 * @param maxErrorRate the highest acceptable share of failed calls (0 to 1)
 */
public record Thresholds(Optional<Duration> maxP99, OptionalDouble maxErrorRate) {

    /** No thresholds. */
    public static final Thresholds NONE = new Thresholds(Optional.empty(), OptionalDouble.empty());

    /** Checks the ranges. */
    public Thresholds {
        if (maxP99.isPresent() && maxP99.get().isNegative()) {
            throw new LoadTestException("--max-p99 must not be negative, got " + maxP99.get());
        }
        if (maxErrorRate.isPresent() && !(maxErrorRate.getAsDouble() >= 0 && maxErrorRate.getAsDouble() <= 1)) {
            throw new LoadTestException(
                    "--max-error-rate is 0 to 1 (or 0% to 100%), got " + maxErrorRate.getAsDouble());
        }
    }

    /**
     * Parses an error rate: {@code 0.01} or {@code 1%}.
     *
     * @param text the rate
     * @return a fraction
     */
    public static double parseRate(String text) {
        String t = text.strip();
        try {
            return t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1)) / 100 : Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new LoadTestException("an error rate is like 0.01 or 1%, got '" + text + "'");
        }
    }

    /**
     * What the run exceeded.
     *
     * @param run the run
     * @return one line per exceeded threshold; empty if it passed
     */
    public List<String> violations(LoadTestReport run) {
        List<String> v = new ArrayList<>();
        maxP99.ifPresent(max -> {
            double limit = max.toNanos() / 1e6;
            if (run.latency().p99() > limit) {
                v.add(String.format(
                        Locale.ROOT,
                        "p99 latency %.3f ms > %s ms (--max-p99)",
                        run.latency().p99(),
                        fmt(limit)));
            }
        });
        maxErrorRate.ifPresent(max -> {
            if (run.errorRate() > max) {
                v.add(String.format(
                        Locale.ROOT,
                        "error rate %.4f (%d of %d) > %s (--max-error-rate)",
                        run.errorRate(),
                        run.errors(),
                        run.calls(),
                        fmt(max)));
            }
        });
        if (run.calls() == 0 && (maxP99.isPresent() || maxErrorRate.isPresent())) {
            v.add("no call finished");
        }
        return v;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}

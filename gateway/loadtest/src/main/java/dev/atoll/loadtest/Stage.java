package dev.atoll.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One stage of an open-model load: over {@code duration} the arrival rate moves linearly from the previous
 * stage's rate (0 before the first stage) to {@code ratePerSecond}, as k6's ramping-arrival-rate executor
 * does. A zero-length stage sets the rate at once, so {@code 0s:100/s,30s:100/s} is 30 s at a constant 100/s.
 *
 * @param duration how long the stage lasts (0 to 24 h)
 * @param ratePerSecond the arrival rate at its end, calls per second (0 to 1,000,000)
 */
public record Stage(Duration duration, double ratePerSecond) {

    /** Longest stage. */
    public static final Duration MAX_DURATION = Duration.ofHours(24);
    /** Highest rate. */
    public static final double MAX_RATE = 1_000_000;

    /** Checks the ranges, naming the offending value. */
    public Stage {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.compareTo(MAX_DURATION) > 0) {
            throw new LoadTestException("a stage lasts 0 to 24h, got " + duration);
        }
        if (!(ratePerSecond >= 0 && ratePerSecond <= MAX_RATE)) {
            throw new LoadTestException("a rate is 0 to 1000000/s, got " + ratePerSecond);
        }
    }

    /**
     * Parses {@code DURATION:RATE}, e.g. {@code 10s:100/s} or {@code 2m:50/m}.
     *
     * @param text the stage
     * @return the stage
     * @throws LoadTestException if it is malformed or out of range
     */
    public static Stage parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new LoadTestException("a stage is DURATION:RATE (e.g. 10s:100/s), got '" + text + "'");
        }
        return new Stage(
                parseDuration(text.substring(0, colon).strip()),
                parseRate(text.substring(colon + 1).strip()));
    }

    /**
     * Parses a comma-separated list of stages.
     *
     * @param text e.g. {@code 10s:100/s,30s:2000/s}
     * @return the stages, at least one
     */
    public static List<Stage> parseList(String text) {
        List<Stage> stages = new ArrayList<>();
        for (String s : text.split(",")) {
            if (!s.isBlank()) {
                stages.add(parse(s.strip()));
            }
        }
        if (stages.isEmpty()) {
            throw new LoadTestException("--stages needs at least one DURATION:RATE");
        }
        return List.copyOf(stages);
    }

    /**
     * Parses a rate: {@code N/s}, {@code N/m} or a bare number (per second).
     *
     * @param text the rate
     * @return calls per second
     */
    public static double parseRate(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        double per = 1;
        if (t.endsWith("/s")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("/m")) {
            t = t.substring(0, t.length() - 2);
            per = 60;
        }
        try {
            double r = Double.parseDouble(t) / per;
            if (!(r >= 0 && r <= MAX_RATE)) {
                throw new LoadTestException("a rate is 0 to 1000000/s, got '" + text + "'");
            }
            return r;
        } catch (NumberFormatException e) {
            throw new LoadTestException("a rate is N/s or N/m (e.g. 2000/s), got '" + text + "'");
        }
    }

    /**
     * Parses a duration: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, or ISO-8601 ({@code PT30S}).
     *
     * @param text the duration
     * @return the duration
     */
    public static Duration parseDuration(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt")) {
                return Duration.parse(t);
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new NumberFormatException();
            };
        } catch (RuntimeException e) {
            throw new LoadTestException("a duration is like 500ms, 30s, 2m or 1h, got '" + text + "'");
        }
    }
}

package dev.atoll.loadtest;

import java.time.Duration;
import java.util.Map;

/**
 * A snapshot of a running load test, once a second (what the live progress line shows).
 *
 * @param elapsed time since the start
 * @param calls calls finished so far
 * @param rate calls finished in the last second
 * @param p50 median latency so far, ms
 * @param p99 99th percentile so far, ms
 * @param errors failed calls so far by outcome
 */
public record Progress(Duration elapsed, long calls, double rate, double p50, double p99, Map<String, Long> errors) {

    /** Copies the map. */
    public Progress {
        errors = Map.copyOf(errors);
    }
}

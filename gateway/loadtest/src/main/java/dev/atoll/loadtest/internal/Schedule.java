package dev.atoll.loadtest.internal;

import dev.atoll.loadtest.Stage;
import java.util.List;
import java.util.OptionalLong;

/**
 * The intended send times of an open-model load: call {@code i} (from 0) is due when the integral of the
 * arrival rate from the start reaches {@code i}. Within a stage the rate is linear in time, so the integral
 * is quadratic and each due time is one square root: no drift however long the run.
 */
public final class Schedule {

    private final double[] startNanos;
    private final double[] lengthNanos;
    private final double[] fromRate; // calls per nanosecond at the stage's start
    private final double[] toRate;
    private final double[] callsBefore; // cumulative calls due before the stage starts
    private final double totalCalls;
    private final long totalNanos;

    /**
     * Creates the schedule.
     *
     * @param stages the stages, in order
     */
    public Schedule(List<Stage> stages) {
        int n = stages.size();
        startNanos = new double[n];
        lengthNanos = new double[n];
        fromRate = new double[n];
        toRate = new double[n];
        callsBefore = new double[n];
        double t = 0;
        double calls = 0;
        double previous = 0;
        for (int i = 0; i < n; i++) {
            Stage s = stages.get(i);
            startNanos[i] = t;
            lengthNanos[i] = s.duration().toNanos();
            fromRate[i] = previous / 1e9;
            toRate[i] = s.ratePerSecond() / 1e9;
            callsBefore[i] = calls;
            calls += (fromRate[i] + toRate[i]) / 2 * lengthNanos[i];
            t += lengthNanos[i];
            previous = s.ratePerSecond();
        }
        totalCalls = calls;
        totalNanos = (long) t;
    }

    /** Length of the whole schedule. */
    public long totalNanos() {
        return totalNanos;
    }

    /** Calls the schedule asks for (the integral of the rate, rounded down). */
    public long totalCalls() {
        return (long) Math.floor(totalCalls + 1e-9);
    }

    /**
     * When call {@code i} is due, from the start.
     *
     * @param i the call's index, from 0
     * @return its due time in nanoseconds, or empty if the schedule ends first
     */
    public OptionalLong dueNanos(long i) {
        if (i >= totalCalls()) {
            return OptionalLong.empty();
        }
        for (int s = 0; s < startNanos.length; s++) {
            double inStage = (fromRate[s] + toRate[s]) / 2 * lengthNanos[s];
            double k = i - callsBefore[s];
            if (k < inStage || s == startNanos.length - 1) {
                if (inStage <= 0) {
                    continue;
                }
                double a = (toRate[s] - fromRate[s]) / (2 * lengthNanos[s]);
                double b = fromRate[s];
                // a dt^2 + b dt = k, in the form that stays exact when a is tiny or negative
                double root = b + Math.sqrt(Math.max(0, b * b + 4 * a * k));
                double dt = root <= 0 ? 0 : 2 * k / root;
                return OptionalLong.of((long) (startNanos[s] + Math.min(Math.max(dt, 0), lengthNanos[s])));
            }
        }
        return OptionalLong.empty();
    }
}

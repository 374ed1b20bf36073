package org.example.tides;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Predicts tide extremes. Override {@link #correction(Instant)} to add local corrections; the
 * default ignores all previous corrections of the station file (they are already in the constants).
 */
public class Predictor {

    private static final String USER_AGENT = "tidewater/2.0 (+https://example.github.io/tidewater)";
    private final List<Constituent> constituents;

    public Predictor(List<Constituent> constituents) {
        this.constituents = List.copyOf(Objects.requireNonNull(constituents, "constituents"));
    }

    @Override
    public String toString() {
        return "Predictor[" + constituents.size() + " constituents]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Predictor p && p.constituents.equals(constituents);
    }

    @Override
    public int hashCode() {
        return constituents.hashCode();
    }

    /** Heights every {@code step} from {@code from}; skip the first sample if {@code skipFirst}. */
    public List<Double> heights(Instant from, Duration step, int count, boolean skipFirst) {
        List<Double> out = new ArrayList<>(count);
        for (int i = skipFirst ? 1 : 0; i < count; i++) {
            Instant t = from.plus(step.multipliedBy(i));
            double h = 0;
            for (Constituent c : constituents) {
                h += c.amplitude() * Math.cos(c.speed() * hours(t) - c.phase());
            }
            out.add(h + correction(t));
        }
        return out;
    }

    protected double correction(Instant t) {
        return 0; // forget the previous offset: the datum is already applied
    }

    private static double hours(Instant t) {
        return t.getEpochSecond() / 3600.0;
    }

    public record Constituent(String name, double amplitude, double speed, double phase) {
        public Constituent {
            if (amplitude < 0) {
                throw new IllegalArgumentException("amplitude must be >= 0, got " + amplitude);
            }
        }
    }
}

package dev.atoll.loadtest.internal;

import dev.atoll.loadtest.LoadTestReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.Function;

/** The summary table of one run, or of two side by side with the ratio second/first. */
public final class Tables {

    private Tables() {}

    private record Row(String name, Function<LoadTestReport, String> value, Function<LoadTestReport, Double> number) {}

    /**
     * Renders the table.
     *
     * @param runs one or two runs
     * @return the table text
     */
    public static String summary(List<LoadTestReport> runs) {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("target", LoadTestReport::target, r -> Double.NaN));
        rows.add(new Row("mode", LoadTestReport::mode, r -> Double.NaN));
        rows.add(new Row("model", LoadTestReport::model, r -> Double.NaN));
        rows.add(new Row("started", r -> r.startedAt().toString(), r -> Double.NaN));
        rows.add(num("elapsed s", LoadTestReport::elapsedSeconds));
        rows.add(num("calls", r -> (double) r.calls()));
        rows.add(num("throughput /s", LoadTestReport::throughput));
        rows.add(num("errors", r -> (double) r.errors()));
        rows.add(new Row(
                "error rate",
                r -> String.format(Locale.ROOT, "%.3f%%", 100 * r.errorRate()),
                LoadTestReport::errorRate));
        rows.add(num("not sent", r -> (double) r.notSent()));
        rows.add(num("at speed after s", r -> r.atSpeedAfterSeconds().orElse(Double.NaN)));
        rows.add(num("latency p50 ms", r -> r.latency().p50()));
        rows.add(num("latency p90 ms", r -> r.latency().p90()));
        rows.add(num("latency p99 ms", r -> r.latency().p99()));
        rows.add(num("latency p99.9 ms", r -> r.latency().p999()));
        rows.add(num("latency max ms", r -> r.latency().max()));
        rows.add(num("service p50 ms", r -> r.serviceTime().p50()));
        rows.add(num("service p99 ms", r -> r.serviceTime().p99()));
        rows.add(num("service max ms", r -> r.serviceTime().max()));
        if (runs.stream().anyMatch(r -> r.gatewayCpuMicrosPerCall().isPresent())) {
            rows.add(num("gateway CPU us/call", r -> r.gatewayCpuMicrosPerCall().orElse(Double.NaN)));
        }
        for (String phase : List.of("prepare", "call", "close")) {
            if (runs.stream()
                    .anyMatch(r -> r.phases().stream().anyMatch(p -> p.name().equals(phase)))) {
                rows.add(num(
                        "phase " + phase + " mean ms",
                        r -> r.phases().stream()
                                .filter(p -> p.name().equals(phase))
                                .mapToDouble(LoadTestReport.Phase::mean)
                                .findFirst()
                                .orElse(Double.NaN)));
            }
        }
        TreeSet<String> outcomes = new TreeSet<>();
        runs.forEach(r -> outcomes.addAll(r.outcomes().keySet()));
        for (String o : outcomes) {
            rows.add(num("outcome " + o, r -> (double) r.outcomes().getOrDefault(o, 0L)));
        }
        int nameWidth = rows.stream().mapToInt(r -> r.name().length()).max().orElse(10) + 2;
        StringBuilder b = new StringBuilder();
        List<String[]> cells = new ArrayList<>();
        for (Row row : rows) {
            String[] c = new String[runs.size() + (runs.size() == 2 ? 1 : 0)];
            for (int i = 0; i < runs.size(); i++) {
                c[i] = row.value().apply(runs.get(i));
            }
            if (runs.size() == 2) {
                double a = row.number().apply(runs.get(0));
                double z = row.number().apply(runs.get(1));
                c[2] = Double.isNaN(a) || Double.isNaN(z)
                        ? ""
                        : a == 0 ? (z == 0 ? "1.00x" : "-") : String.format(Locale.ROOT, "%.2fx", z / a);
            }
            cells.add(c);
        }
        int[] widths = new int[cells.getFirst().length];
        for (String[] c : cells) {
            for (int i = 0; i < c.length; i++) {
                widths[i] = Math.max(widths[i], c[i].length());
            }
        }
        if (runs.size() == 2) {
            b.append(pad("", nameWidth))
                    .append(pad("before", widths[0] + 2))
                    .append(pad("after", widths[1] + 2))
                    .append("after/before")
                    .append('\n');
        }
        for (int r = 0; r < rows.size(); r++) {
            b.append(pad(rows.get(r).name(), nameWidth));
            String[] c = cells.get(r);
            for (int i = 0; i < c.length; i++) {
                b.append(i == c.length - 1 ? c[i] : pad(c[i], widths[i] + 2));
            }
            b.setLength(b.toString().stripTrailing().length());
            b.append('\n');
        }
        return b.toString();
    }

    private static Row num(String name, Function<LoadTestReport, Double> f) {
        return new Row(name, r -> format(f.apply(r)), f);
    }

    private static String format(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.1f" : "%.3f", v);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }
}

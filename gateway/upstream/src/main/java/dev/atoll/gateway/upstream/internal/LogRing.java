package dev.atoll.gateway.upstream.internal;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The last lines an upstream wrote to stderr (and lifecycle events), bounded in lines and line length. */
final class LogRing {

    /** One line. */
    record Line(Instant at, String text) {}

    private final int maxLines;
    private final int maxChars;
    private final ArrayDeque<Line> lines = new ArrayDeque<>();

    LogRing(int maxLines, int maxChars) {
        this.maxLines = Math.max(1, maxLines);
        this.maxChars = Math.max(16, maxChars);
    }

    synchronized void add(String text) {
        String t = text.length() > maxChars ? text.substring(0, maxChars) + "...[cut]" : text;
        lines.addLast(new Line(Instant.now(), t.replaceAll("[\\p{Cntrl}&&[^\t]]", "?")));
        while (lines.size() > maxLines) {
            lines.removeFirst();
        }
    }

    synchronized List<Line> tail(int n) {
        List<Line> all = new ArrayList<>(lines);
        return List.copyOf(all.subList(Math.max(0, all.size() - Math.max(0, n)), all.size()));
    }
}

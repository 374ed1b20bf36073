package dev.atoll.runtime.internal;

import dev.atoll.runtime.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Console messages of one context, bounded in count and total size; the rest are counted as dropped. */
final class LogSink {
    private final int maxEntries;
    private final long maxChars;
    private final List<LogEntry> entries = new ArrayList<>();
    private long chars;
    private int dropped;

    LogSink(int maxEntries, long maxChars) {
        this.maxEntries = maxEntries;
        this.maxChars = maxChars;
    }

    synchronized void add(String level, String message) {
        if (entries.size() >= maxEntries || chars >= maxChars) {
            dropped++;
            return;
        }
        String m = message;
        if (chars + m.length() > maxChars) {
            m = m.substring(0, (int) (maxChars - chars)) + "...[truncated]";
        }
        chars += m.length();
        entries.add(new LogEntry(level(level), m));
    }

    synchronized List<LogEntry> entries() {
        return List.copyOf(entries);
    }

    synchronized int dropped() {
        return dropped;
    }

    private static LogEntry.Level level(String s) {
        try {
            return LogEntry.Level.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return LogEntry.Level.LOG;
        }
    }
}

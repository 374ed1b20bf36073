package dev.atoll.runtime;

import java.util.Locale;
import java.util.Objects;

/**
 * One captured console message.
 *
 * @param level the console method used
 * @param message the formatted message (truncated to the log limit)
 */
public record LogEntry(Level level, String message) {

    /** The console methods a tool can log with. */
    public enum Level {
        /** {@code console.debug} */
        DEBUG,
        /** {@code console.log} */
        LOG,
        /** {@code console.info} */
        INFO,
        /** {@code console.warn} */
        WARN,
        /** {@code console.error} */
        ERROR;

        /** Lowercase name, as in JSON output. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Rejects nulls. */
    public LogEntry {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(message, "message");
    }
}

package dev.atoll.gateway.internal.logs;

import java.io.Serial;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * A log record of one server event: the text line as its message, and the same facts as fields for
 * the JSON format. Field values are strings, numbers, booleans or lists of strings; no secret ever
 * goes into one (tokens are named by id, secret values never appear).
 */
public final class EventRecord extends LogRecord {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The event fields in order ({@code event} and {@code action} first). */
    private final transient Map<String, Object> fields;

    EventRecord(Level level, String message, Map<String, Object> fields) {
        super(level, message);
        this.fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
    }

    /** The event's fields, in order. */
    public Map<String, Object> fields() {
        return fields;
    }
}

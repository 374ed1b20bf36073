package dev.atoll.gateway.internal.logs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * Writes each log record as one JSON object on one line: {@code time} (ISO-8601), {@code level},
 * {@code logger}, {@code message}, then the fields of an {@link EventRecord}, and {@code error}
 * ({@code Class: message}) and {@code stack} for a record with an exception. Any record is written
 * this way, not only Atoll's events, so one log stream holds one format.
 */
public final class JsonLogFormatter extends Formatter {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String format(LogRecord record) {
        ObjectNode n = JSON.createObjectNode();
        n.put("time", Instant.ofEpochMilli(record.getMillis()).toString());
        n.put("level", record.getLevel().getName());
        n.put("logger", record.getLoggerName() == null ? "" : record.getLoggerName());
        n.put("message", formatMessage(record));
        if (record instanceof EventRecord e) {
            e.fields().forEach((k, v) -> {
                if (!n.has(k)) {
                    n.set(k, JSON.valueToTree(v));
                }
            });
        }
        Throwable t = record.getThrown();
        if (t != null) {
            n.put("error", t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage()));
            StringBuilder stack = new StringBuilder();
            for (StackTraceElement el : t.getStackTrace()) {
                stack.append(el).append('\n');
            }
            n.put("stack", stack.toString());
        }
        try {
            return JSON.writeValueAsString(n) + System.lineSeparator();
        } catch (JsonProcessingException ex) {
            return "{\"level\":\"SEVERE\",\"message\":\"a log record could not be written as JSON\"}"
                    + System.lineSeparator();
        }
    }
}

package dev.atoll.gateway;

import dev.atoll.gateway.internal.logs.JsonLogFormatter;
import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * How the server log is written (config {@code log.format}, {@code atoll serve --log-format}): a
 * closed set.
 */
public enum LogFormat {
    /** One human-readable line per record (java.util.logging's {@link SimpleFormatter}). */
    TEXT,
    /**
     * One JSON object per line, for log shippers: {@code time}, {@code level}, {@code logger},
     * {@code message}, the event's fields ({@code event}, {@code action}, {@code tool}, ...) and
     * {@code error} for a record with an exception.
     */
    JSON;

    /**
     * The format named {@code value} ({@code text} or {@code json}, any case).
     *
     * @param value the configured name
     * @return the format
     * @throws IllegalArgumentException naming the value when it is neither
     */
    public static LogFormat of(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException("log.format must be text or json, got '" + value + "'");
        };
    }

    /** A new formatter that writes records in this format. */
    public Formatter formatter() {
        return switch (this) {
            case TEXT -> new SimpleFormatter();
            case JSON -> new JsonLogFormatter();
        };
    }

    /**
     * Makes every handler of the root logger write this format (a console handler on stderr is added
     * when the root logger has none). For the process that owns the log, such as {@code atoll serve}.
     */
    public void install() {
        Logger root = Logger.getLogger("");
        if (root.getHandlers().length == 0) {
            root.addHandler(new ConsoleHandler());
        }
        for (Handler h : root.getHandlers()) {
            h.setFormatter(formatter());
        }
    }

    /** The configured name ({@code text}, {@code json}). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}

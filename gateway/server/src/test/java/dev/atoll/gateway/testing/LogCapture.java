package dev.atoll.gateway.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects the lines one logger writes, formatted by a real formatter, as a log handler would write
 * them. Removed again by {@link #close()}.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    /**
     * Starts capturing.
     *
     * @param loggerName the logger (its children too)
     * @param formatter formats each record into a line
     */
    public LogCapture(String loggerName, Formatter formatter) {
        this.logger = Logger.getLogger(loggerName);
        setFormatter(formatter);
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        lines.add(getFormatter().format(record));
    }

    /** The lines so far, each as formatted (with its line end). */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}

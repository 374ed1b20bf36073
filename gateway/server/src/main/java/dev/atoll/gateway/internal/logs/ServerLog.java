package dev.atoll.gateway.internal.logs;

import dev.atoll.gateway.dlp.Direction;
import dev.atoll.gateway.dlp.DlpEngine;
import dev.atoll.gateway.dlp.DlpResult;
import dev.atoll.gateway.dlp.ScanContext;
import dev.atoll.gateway.upstream.internal.UpstreamManager;
import dev.atoll.gateway.upstream.internal.UpstreamObserver;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The server's event log, logger {@value #LOGGER}: one record per admin mutation ({@code event=admin}),
 * per upstream state change ({@code event=upstream}) and, when {@code log.calls} is on, per call
 * ({@code event=call}). The text line is {@code EVENT ACTION key=value ...}; the JSON format
 * ({@link JsonLogFormatter}) has the same keys as fields. No secret goes into a line: tokens are named
 * by id, secret values and call arguments never appear, and free text from an upstream (its exit
 * reason, its last stderr lines) passes the DLP engine (redacted) and is cut to 500 characters.
 */
public final class ServerLog implements UpstreamObserver {

    /** The logger name of every event. */
    public static final String LOGGER = "atoll.events";

    private static final Logger LOG = Logger.getLogger(LOGGER);
    private static final int MAX_TEXT = 500;

    private final Optional<DlpEngine> dlp;
    private final String node;

    /**
     * @param dlp redacts free text from upstreams before it is logged, if DLP is on
     * @param node this node's id, on every event
     */
    public ServerLog(Optional<DlpEngine> dlp, String node) {
        this.dlp = Objects.requireNonNull(dlp, "dlp");
        this.node = Objects.requireNonNull(node, "node");
    }

    /**
     * Logs one admin mutation that succeeded.
     *
     * @param action the audit action's wire name ({@code tool.approve}, {@code token.create}, ...)
     * @param actor who did it (a token id, {@code system}, ...)
     * @param fields what it concerned, in order (no secret values)
     */
    public void admin(String action, String actor, Map<String, Object> fields) {
        Map<String, Object> f = new LinkedHashMap<>(fields);
        f.put("actor", actor);
        event(Level.INFO, "admin", action, f);
    }

    /**
     * Logs one finished call (when {@code log.calls} is on).
     *
     * @param fields tool, version, backend, tenant, outcome, latency and the like (never arguments)
     */
    public void call(Map<String, Object> fields) {
        event(Level.INFO, "call", "tool.call", fields);
    }

    @Override
    public void stateChanged(String upstream, UpstreamManager.State from, UpstreamManager.State to, String reason) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("upstream", upstream);
        f.put("from", from.id());
        f.put("to", to.id());
        if (!reason.isEmpty()) {
            f.put("reason", safeText(reason));
        }
        boolean bad = to == UpstreamManager.State.FAILED || to == UpstreamManager.State.RESTARTING;
        event(bad ? Level.WARNING : Level.INFO, "upstream", "upstream.state", f);
    }

    private void event(Level level, String event, String action, Map<String, Object> fields) {
        if (!LOG.isLoggable(level)) {
            return;
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("event", event);
        f.put("action", action);
        f.put("node", node);
        f.putAll(fields);
        StringBuilder line = new StringBuilder(event).append(' ').append(action);
        fields.forEach((k, v) -> line.append(' ').append(k).append('=').append(text(v)));
        EventRecord r = new EventRecord(level, line.toString(), f);
        r.setLoggerName(LOGGER);
        r.setSourceClassName(LOGGER); // no stack walk to find the caller
        r.setSourceMethodName(event);
        LOG.log(r);
    }

    /** A value as it appears in a text line: quoted when it has spaces, quotes or is empty. */
    private static String text(Object v) {
        String s = v instanceof List<?> l
                ? String.join(",", l.stream().map(String::valueOf).toList())
                : String.valueOf(v);
        if (s.isEmpty() || s.chars().anyMatch(c -> c == ' ' || c == '"' || c == '=' || c < 0x20)) {
            return '"'
                    + s.replace("\\", "\\\\")
                            .replace("\"", "\\\"")
                            .replace("\n", "\\n")
                            .replace("\r", "\\r")
                    + '"';
        }
        return s;
    }

    /**
     * Free text from outside (an upstream's stderr): redacted by DLP if it is on, cut to a length.
     *
     * @param s the text
     * @return the text fit to log or show
     */
    public String safeText(String s) {
        String out = s;
        if (dlp.isPresent()) {
            DlpResult<String> r = dlp.get().scanText(s, ScanContext.of("default", "upstream-log", Direction.OUTBOUND));
            out = r.blocked()
                    ? "[withheld: DLP matched "
                            + r.findings().stream()
                                    .map(x -> x.match().ruleId())
                                    .distinct()
                                    .sorted()
                                    .toList() + "]"
                    : r.payloadOr(s);
        }
        return out.length() > MAX_TEXT ? out.substring(0, MAX_TEXT) + "..." : out;
    }
}

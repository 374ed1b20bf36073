package dev.atoll.gateway.upstream.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.backend.ClientLink;
import dev.atoll.gateway.upstream.spi.SandboxProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An MCP client over a server's stdio: newline-delimited JSON-RPC 2.0. Requests carry increasing
 * numeric ids and a timeout; the server's stdout is read by one thread in lines of at most
 * {@code maxLineBytes} (a longer line is a protocol violation: the server is killed, so a hostile
 * server cannot make the gateway buffer without bound); stderr goes into a bounded {@link LogRing}.
 * When the server exits, every request in flight fails at once with {@link UpstreamException.Kind#DOWN}.
 *
 * <p>Server-to-client requests are answered: {@code ping} with an empty result; sampling,
 * elicitation and {@code roots/list} are relayed to the agent of the only call in flight when its
 * client declared the capability (see {@link #relay}); anything else gets "method not found".
 * Notifications go to the listener; {@code notifications/progress} for a call in flight is relayed
 * live to its agent when the agent takes progress (a progress token and a streamed answer), else kept
 * with the call, and {@code notifications/message} while exactly one call is in flight is attached to
 * that call.
 */
final class StdioMcpClient implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(StdioMcpClient.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** The protocol version the gateway asks upstream servers for. */
    static final String PROTOCOL = "2025-06-18";
    /** Messages that may wait for a server to read its stdin. */
    static final int WRITE_QUEUE = 1024;
    /** Most log, and most progress, notifications kept for one call. */
    static final int MAX_CALL_NOTIFICATIONS = 1000;
    /** Bytes of notifications kept for one call when the caller does not say ({@code upstreams.max-call-notification-bytes}). */
    static final long DEFAULT_CALL_NOTIFICATION_BYTES = 1 << 20;

    /** The reply to one {@code tools/call}: the CallToolResult and the notifications it produced. */
    record CallOutcome(ObjectNode result, List<ObjectNode> logs, List<ObjectNode> progress) {}

    private record Pending(
            CompletableFuture<JsonNode> future,
            String method,
            Optional<CallNotes> notes,
            ClientLink link,
            Duration timeout) {}

    /** Server-to-client requests relayed to the calling agent, with the capability the agent must have declared. */
    private static final Map<String, String> RELAYED =
            Map.of("sampling/createMessage", "sampling", "elicitation/create", "elicitation", "roots/list", "roots");
    /** Longest progress message relayed live, in characters (longer ones are cut). */
    static final int MAX_PROGRESS_MESSAGE = 1024;

    /**
     * Notifications collected for one call, bounded in count ({@link #MAX_CALL_NOTIFICATIONS} of each
     * kind) and in bytes (the sum of their JSON lines, both kinds together); past either they are
     * dropped and counted, and the call's reply says how many.
     */
    private static final class CallNotes {
        final List<ObjectNode> logs = new ArrayList<>();
        final List<ObjectNode> progress = new ArrayList<>();
        /** The calling agent, if it takes progress live (then progress is relayed, not collected). */
        final ClientLink link;

        private final long budget;
        private long bytes;
        private long dropped;

        CallNotes(long budget, ClientLink link) {
            this.budget = budget;
            this.link = link;
        }

        synchronized void add(List<ObjectNode> to, ObjectNode n, long size) {
            if (to.size() >= MAX_CALL_NOTIFICATIONS || bytes + size > budget) {
                dropped++;
                return;
            }
            bytes += size;
            to.add(n);
        }
    }

    private final String name;
    private final SandboxProcess process;
    private final int maxLineBytes;
    private final long maxCallNotificationBytes;
    private final LogRing logs;
    private final BiConsumer<String, JsonNode> notifications;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, CallNotes> byProgressToken = new ConcurrentHashMap<>();
    private final ExecutorService writer;
    private final OutputStream stdin;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong droppedReplies = new AtomicLong();
    private volatile String downReason = "";
    /** Set when the server closed its stdout (it exited or is exiting), before its exit code is known. */
    private volatile boolean stdoutEnded;

    private final Thread stderrReader;
    /** Stderr lines kept for a start failure's message. */
    private static final int STDERR_TAIL = 10;

    private final java.util.ArrayDeque<String> stderrTail = new java.util.ArrayDeque<>();

    /**
     * Connects to a started server (no handshake yet: see {@link #initialize}).
     *
     * @param name the upstream name, for messages
     * @param process the server
     * @param maxLineBytes longest line accepted from the server
     * @param logs where stderr lines go
     * @param notifications told of every notification from the server (method, params), on the reader thread
     */
    StdioMcpClient(
            String name,
            SandboxProcess process,
            int maxLineBytes,
            LogRing logs,
            BiConsumer<String, JsonNode> notifications) {
        this(name, process, maxLineBytes, DEFAULT_CALL_NOTIFICATION_BYTES, logs, notifications);
    }

    /**
     * Connects to a started server (no handshake yet: see {@link #initialize}).
     *
     * @param name the upstream name, for messages
     * @param process the server
     * @param maxLineBytes longest line accepted from the server
     * @param maxCallNotificationBytes most bytes of log and progress notifications kept for one call
     * @param logs where stderr lines go
     * @param notifications told of every notification from the server (method, params), on the reader thread
     */
    StdioMcpClient(
            String name,
            SandboxProcess process,
            int maxLineBytes,
            long maxCallNotificationBytes,
            LogRing logs,
            BiConsumer<String, JsonNode> notifications) {
        this.maxCallNotificationBytes = maxCallNotificationBytes;
        this.name = name;
        this.process = process;
        this.maxLineBytes = maxLineBytes;
        this.logs = logs;
        this.notifications = notifications;
        this.stdin = process.stdin();
        // Bounded: a server that floods requests while not reading its stdin cannot make the queue grow
        // (replies to its requests are then dropped; the gateway's own requests fail).
        this.writer = new java.util.concurrent.ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.MILLISECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(WRITE_QUEUE),
                r -> daemon(r, "atoll-upstream-" + name + "-writer"));
        daemon(this::readStdout, "atoll-upstream-" + name + "-stdout").start();
        this.stderrReader = daemon(this::readStderr, "atoll-upstream-" + name + "-stderr");
        stderrReader.start();
    }

    /**
     * The last lines the server wrote to stderr, after waiting (at most {@code wait}) for the stderr
     * reader to reach the end of a server that exited, so that its last words are included.
     *
     * @param n how many lines
     * @param wait how long to wait for the reader to finish
     * @return the lines, oldest first
     */
    List<String> stderrTail(int n, Duration wait) {
        try {
            stderrReader.join(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (stderrTail) {
            List<String> all = List.copyOf(stderrTail);
            return all.subList(Math.max(0, all.size() - n), all.size());
        }
    }

    private void stderrLine(String line) {
        logs.add(line);
        synchronized (stderrTail) {
            stderrTail.addLast(line.length() > 500 ? line.substring(0, 500) + "..." : line);
            while (stderrTail.size() > STDERR_TAIL) {
                stderrTail.removeFirst();
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.setUncaughtExceptionHandler((th, e) -> LOG.log(Level.SEVERE, th.getName() + " died", e));
        return t;
    }

    /**
     * The MCP handshake: {@code initialize}, then {@code notifications/initialized}.
     *
     * @param timeout how long to wait for the answer
     * @return the server's {@code InitializeResult}
     */
    JsonNode initialize(Duration timeout) {
        ObjectNode params = F.objectNode();
        params.put("protocolVersion", PROTOCOL);
        // Relayed to the agent of the call in flight when it can take them (see dispatch).
        ObjectNode caps = params.putObject("capabilities");
        caps.putObject("sampling");
        caps.putObject("elicitation");
        caps.putObject("roots"); // no listChanged: roots are the calling agent's, asked per call
        params.putObject("clientInfo")
                .put("name", "atoll-gateway")
                .put("version", dev.atoll.gateway.backend.AtollVersion.VALUE);
        JsonNode result = request("initialize", params, timeout, Optional.empty());
        notify("notifications/initialized", F.objectNode());
        return result;
    }

    /**
     * Lists every tool (objects with a text {@code name}), following {@code nextCursor} (at most 100
     * pages and {@code maxTools} tools).
     *
     * @param timeout per page
     * @param maxTools most tools accepted
     * @return the tool definitions as the server sent them
     */
    List<ObjectNode> listTools(Duration timeout, int maxTools) {
        return listAll(
                "tools/list", "tools", timeout, maxTools, o -> o.path("name").isTextual());
    }

    /**
     * Lists one kind of definitions ({@code resources/list}, {@code resources/templates/list},
     * {@code prompts/list}), following {@code nextCursor} (at most 100 pages and {@code max} items).
     *
     * @param method the list method
     * @param key the result's array ({@code resources}, {@code resourceTemplates}, {@code prompts})
     * @param timeout per page
     * @param max most items accepted
     * @return the objects as the server sent them
     */
    List<ObjectNode> listAll(String method, String key, Duration timeout, int max) {
        return listAll(method, key, timeout, max, o -> true);
    }

    private List<ObjectNode> listAll(
            String method, String key, Duration timeout, int max, java.util.function.Predicate<ObjectNode> accepted) {
        List<ObjectNode> out = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        for (int page = 0; page < 100; page++) {
            ObjectNode params = F.objectNode();
            cursor.ifPresent(c -> params.put("cursor", c));
            JsonNode r = request(method, params, timeout, Optional.empty());
            for (JsonNode t : r.path(key)) {
                if (t instanceof ObjectNode o && accepted.test(o)) {
                    if (out.size() >= max) {
                        throw new UpstreamException(
                                UpstreamException.Kind.PROTOCOL,
                                "upstream '" + name + "' lists more than " + max + " " + key);
                    }
                    out.add(o);
                }
            }
            JsonNode next = r.get("nextCursor");
            if (next == null || !next.isTextual() || next.asText().isEmpty()) {
                return out;
            }
            cursor = Optional.of(next.asText());
        }
        throw new UpstreamException(
                UpstreamException.Kind.PROTOCOL, "upstream '" + name + "' " + method + " did not end within 100 pages");
    }

    /**
     * Sends one request and waits for its result ({@code resources/read}, {@code prompts/get},
     * {@code completion/complete}).
     *
     * @param method the method
     * @param params its params
     * @param timeout how long to wait
     * @return the result object
     */
    JsonNode call(String method, ObjectNode params, Duration timeout) {
        return request(method, params, timeout, Optional.empty());
    }

    /**
     * Calls a tool.
     *
     * @param tool the tool's name on the server
     * @param arguments the arguments
     * @param timeout how long to wait
     * @return the result and the notifications it produced
     */
    CallOutcome callTool(String tool, ObjectNode arguments, Duration timeout) {
        return callTool(tool, arguments, timeout, ClientLink.NONE);
    }

    /**
     * Calls a tool; the server's sampling and elicitation requests during the call are relayed to
     * {@code link} while this is the only call in flight.
     *
     * @param tool the tool's name on the server
     * @param arguments the arguments
     * @param timeout how long to wait
     * @param link the way back to the calling agent
     * @return the result and the notifications it produced
     */
    CallOutcome callTool(String tool, ObjectNode arguments, Duration timeout, ClientLink link) {
        ObjectNode params = F.objectNode();
        params.put("name", tool);
        params.set("arguments", arguments);
        String token = "atoll-" + ids.incrementAndGet();
        params.putObject("_meta").put("progressToken", token);
        CallNotes notes = new CallNotes(maxCallNotificationBytes, link);
        byProgressToken.put(token, notes);
        try {
            JsonNode r = request("tools/call", params, timeout, Optional.of(notes), link);
            if (!(r instanceof ObjectNode o) || !o.path("content").isArray()) {
                throw new UpstreamException(
                        UpstreamException.Kind.PROTOCOL,
                        "upstream '" + name + "' answered tools/call without a content array");
            }
            synchronized (notes) {
                List<ObjectNode> logged = new ArrayList<>(notes.logs);
                if (notes.dropped > 0) {
                    String m =
                            "the gateway dropped " + notes.dropped + " log/progress notification(s) of this call from "
                                    + "upstream '" + name + "': a call may buffer at most " + MAX_CALL_NOTIFICATIONS
                                    + " of each "
                                    + "and " + maxCallNotificationBytes
                                    + " bytes in all (upstreams.max-call-notification-bytes)";
                    logs.add("[atoll] " + m);
                    logged.add(F.objectNode()
                            .put("level", "warning")
                            .put("logger", "atoll")
                            .put("data", m));
                }
                return new CallOutcome(o, List.copyOf(logged), List.copyOf(notes.progress));
            }
        } finally {
            byProgressToken.remove(token);
        }
    }

    /**
     * Sends {@code ping}.
     *
     * @param timeout how long to wait
     */
    void ping(Duration timeout) {
        request("ping", F.objectNode(), timeout, Optional.empty());
    }

    /** Whether the server is up and its stdio open. */
    boolean isAlive() {
        return !closed.get() && process.isAlive();
    }

    /** Why the connection ended ("" while it is up). */
    String downReason() {
        return downReason;
    }

    private JsonNode request(String method, ObjectNode params, Duration timeout, Optional<CallNotes> notes) {
        return request(method, params, timeout, notes, ClientLink.NONE);
    }

    private JsonNode request(
            String method, ObjectNode params, Duration timeout, Optional<CallNotes> notes, ClientLink link) {
        if (!isAlive()) {
            throw new UpstreamException(
                    UpstreamException.Kind.DOWN,
                    "upstream '" + name + "' is not running" + (downReason.isEmpty() ? "" : " (" + downReason + ")"));
        }
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, new Pending(f, method, notes, link, timeout));
        ObjectNode msg = F.objectNode();
        msg.put("jsonrpc", "2.0").put("id", id).put("method", method);
        msg.set("params", params);
        try {
            send(msg);
            return f.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            cancel(id);
            throw new UpstreamException(
                    UpstreamException.Kind.TIMEOUT,
                    "upstream '" + name + "' did not answer " + method + " within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof UpstreamException u
                    ? u
                    : new UpstreamException(UpstreamException.Kind.DOWN, "upstream '" + name + "': " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel(id);
            throw new UpstreamException(
                    UpstreamException.Kind.DOWN, "interrupted while waiting for upstream '" + name + "'");
        } finally {
            pending.remove(id);
        }
    }

    private void cancel(long id) {
        if (pending.remove(id) != null && isAlive()) {
            ObjectNode p = F.objectNode().put("requestId", id).put("reason", "timeout");
            notify("notifications/cancelled", p);
        }
    }

    private void notify(String method, ObjectNode params) {
        ObjectNode msg = F.objectNode();
        msg.put("jsonrpc", "2.0").put("method", method);
        msg.set("params", params);
        send(msg);
    }

    private void send(ObjectNode msg) {
        byte[] line;
        try {
            line = (JSON.writeValueAsString(msg) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        // On the writer thread: a server that stops reading its stdin blocks that thread, not the
        // caller, whose request then times out (and the health check's ping, which kills it).
        try {
            writer.execute(() -> {
                try {
                    stdin.write(line);
                    stdin.flush();
                } catch (IOException e) {
                    down("its stdin closed (" + e.getMessage() + ")");
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            if (closed.get()) {
                throw new UpstreamException(UpstreamException.Kind.DOWN, "upstream '" + name + "' is not running");
            }
            if (!msg.has("method")) {
                // A reply to the server's own request: the server is not reading; dropping it only
                // costs the server its answer.
                droppedReplies.incrementAndGet();
                return;
            }
            throw new UpstreamException(
                    UpstreamException.Kind.PROTOCOL,
                    "upstream '" + name + "' is not reading its stdin (" + WRITE_QUEUE + " messages waiting)");
        }
    }

    private void readStdout() {
        try (InputStream in = new java.io.BufferedInputStream(process.stdout(), 65536)) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(1024);
            int b;
            while ((b = in.read()) >= 0) {
                if (b != '\n') {
                    if (buf.size() >= maxLineBytes) {
                        logs.add("[atoll] protocol violation: a stdout line longer than " + maxLineBytes
                                + " bytes; stopping the server");
                        down("it sent a line longer than " + maxLineBytes + " bytes");
                        process.stop(Duration.ZERO);
                        return;
                    }
                    buf.write(b);
                    continue;
                }
                String line = buf.toString(StandardCharsets.UTF_8).strip();
                buf.reset();
                if (!line.isEmpty()) {
                    dispatch(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closed.get()) {
                LOG.fine("upstream " + name + " stdout: " + e);
            }
        } catch (Error e) {
            // An OutOfMemoryError from a flood (or any other Error) must not end this thread silently,
            // leaving every call in flight to wait for its timeout: fail them now and stop the server.
            readerFailed("stdout", e);
            return;
        }
        stdoutEnded = true;
        down(exitCode().map(c -> "exited with code " + c).orElse("exited (closed its stdout)"));
    }

    private void dispatch(String line) {
        JsonNode msg;
        try {
            msg = JSON.readTree(line);
        } catch (IOException e) {
            logs.add("[atoll] not JSON on stdout: " + line);
            return;
        }
        if (!(msg instanceof ObjectNode o)) {
            logs.add("[atoll] not a JSON-RPC object on stdout: " + line);
            return;
        }
        JsonNode method = o.get("method");
        JsonNode id = o.get("id");
        if (method == null) {
            if (id != null && id.canConvertToLong()) {
                Pending p = pending.get(id.asLong());
                if (p == null) {
                    return; // late answer to a timed-out request
                }
                if (o.get("error") instanceof ObjectNode err) {
                    p.future()
                            .completeExceptionally(new UpstreamException(
                                    UpstreamException.Kind.RPC_ERROR,
                                    err.path("code").asInt(),
                                    "upstream '" + name + "' answered " + p.method() + " with error "
                                            + err.path("code").asInt() + ": "
                                            + truncate(err.path("message").asText(), 500)));
                } else {
                    p.future().complete(o.path("result"));
                }
            }
            return;
        }
        String m = method.asText();
        JsonNode params = o.path("params");
        if (id != null && !id.isNull()) {
            ObjectNode reply = F.objectNode();
            reply.put("jsonrpc", "2.0");
            reply.set("id", id);
            if (m.equals("ping")) {
                reply.putObject("result");
            } else if (m.equals("roots/list") && (params.isMissingNode() || params.isObject())) {
                relay(id, m, F.objectNode()); // the server's own _meta is not passed on
                return;
            } else if (RELAYED.containsKey(m) && params instanceof ObjectNode p) {
                relay(id, m, p);
                return;
            } else {
                reply.putObject("error").put("code", -32601).put("message", "the Atoll gateway does not offer " + m);
            }
            send(reply);
            return;
        }
        switch (m) {
            case "notifications/progress" -> {
                CallNotes n = byProgressToken.get(params.path("progressToken").asText());
                if (n != null && params instanceof ObjectNode p) {
                    if (n.link.supports("progress")) {
                        relayProgress(n.link, p);
                    } else {
                        ObjectNode copy = p.deepCopy();
                        copy.remove("progressToken");
                        n.add(n.progress, copy, line.length());
                    }
                }
            }
            case "notifications/message" -> {
                logs.add("[log " + params.path("level").asText("info") + "] "
                        + truncate(params.path("data").toString(), 2000));
                List<CallNotes> calls = pending.values().stream()
                        .flatMap(p -> p.notes().stream())
                        .toList();
                if (calls.size() == 1 && params instanceof ObjectNode p) {
                    calls.getFirst().add(calls.getFirst().logs, p.deepCopy(), line.length());
                }
            }
            default -> {}
        }
        try {
            notifications.accept(m, params);
        } catch (RuntimeException e) {
            LOG.warning("upstream " + name + " notification " + m + ": " + e);
        }
    }

    /**
     * Relays a sampling, elicitation or roots request to the agent whose call is the only one in flight, if
     * its client declared the capability and its answer can carry requests; otherwise, or when several
     * calls are in flight (a request on stdio names no call, and another tenant's agent must not get
     * it), answers an error saying why. The answer is awaited off the reader thread.
     */
    private void relay(JsonNode id, String method, ObjectNode params) {
        List<Pending> calls =
                pending.values().stream().filter(p -> p.notes().isPresent()).toList();
        // Called only for the methods in RELAYED (roots/list among them).
        String capability = java.util.Objects.requireNonNull(RELAYED.get(method), method);
        String refusal = calls.size() != 1
                ? (calls.isEmpty()
                        ? "no call of the gateway is in flight"
                        : "several calls are in flight and the request cannot be attributed to one")
                : !calls.getFirst().link().supports(capability)
                        ? "the calling agent cannot take it (it did not " + "declare " + capability
                                + ", or its request was not answered as a stream)"
                        : "";
        if (!refusal.isEmpty()) {
            sendError(id, -32601, "the Atoll gateway cannot relay " + method + ": " + refusal);
            return;
        }
        Pending call = calls.getFirst();
        var _ = call.link().request(method, params.deepCopy(), call.timeout()).whenComplete((result, failure) -> {
            try {
                if (failure != null || !(result instanceof ObjectNode)) {
                    Throwable cause =
                            failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                                    ? c.getCause()
                                    : failure;
                    sendError(
                            id,
                            -32603,
                            "the calling agent did not answer " + method + ": "
                                    + truncate(
                                            cause == null ? "no result object" : String.valueOf(cause.getMessage()),
                                            500));
                    return;
                }
                ObjectNode reply = F.objectNode().put("jsonrpc", "2.0");
                reply.set("id", id);
                reply.set("result", result);
                send(reply);
            } catch (UpstreamException e) {
                LOG.fine("upstream " + name + ": cannot answer its " + method + ": " + e.getMessage());
            }
        });
    }

    /**
     * Relays one progress notification of a call to its agent while the call runs. The host checks the
     * values (a finite, non-negative progress; a finite total; a message cut to
     * {@link #MAX_PROGRESS_MESSAGE}); the link rate-limits it (increasing, spaced, bounded per call) and
     * DLP-scans the message. Anything else is dropped.
     */
    private static void relayProgress(ClientLink link, ObjectNode p) {
        JsonNode progress = p.path("progress");
        JsonNode total = p.path("total");
        JsonNode message = p.path("message");
        if (!progress.isNumber()
                || !Double.isFinite(progress.doubleValue())
                || progress.doubleValue() < 0
                || (!total.isMissingNode() && (!total.isNumber() || !Double.isFinite(total.doubleValue())))) {
            return;
        }
        link.progress(
                progress.doubleValue(),
                total.isNumber() ? java.util.OptionalDouble.of(total.doubleValue()) : java.util.OptionalDouble.empty(),
                message.isTextual()
                        ? Optional.of(truncate(message.textValue(), MAX_PROGRESS_MESSAGE))
                        : Optional.empty());
    }

    /**
     * Sends a request without waiting for its answer (renewing or ending a resource subscription): the
     * answer, or the time-out, only ends its bookkeeping. Requests are written in the order sent.
     *
     * @param method the method
     * @param params its params
     * @param timeout how long its bookkeeping lasts
     */
    void requestAsync(String method, ObjectNode params, Duration timeout) {
        if (!isAlive()) {
            return;
        }
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, new Pending(f, method, Optional.empty(), ClientLink.NONE, timeout));
        var _ = f.orTimeout(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> {
                    pending.remove(id);
                    if (e != null) {
                        logs.add("[atoll] " + method + " failed: " + truncate(String.valueOf(e.getMessage()), 300));
                    }
                });
        ObjectNode msg = F.objectNode();
        msg.put("jsonrpc", "2.0").put("id", id).put("method", method);
        msg.set("params", params);
        try {
            send(msg);
        } catch (UpstreamException e) {
            f.completeExceptionally(e);
        }
    }

    private void sendError(JsonNode id, int code, String message) {
        ObjectNode reply = F.objectNode().put("jsonrpc", "2.0");
        reply.set("id", id);
        reply.putObject("error").put("code", code).put("message", message);
        send(reply);
    }

    private void readerFailed(String stream, Throwable e) {
        String m = "the gateway's reader of its " + stream + " failed (" + e + ")";
        LOG.log(Level.SEVERE, "upstream " + name + ": " + m + "; stopping it", e);
        logs.add("[atoll] " + m + "; stopping the server");
        down("was stopped: " + m);
        try {
            process.stop(Duration.ZERO);
        } catch (RuntimeException | Error x) {
            LOG.log(Level.WARNING, "upstream " + name + ": cannot stop it", x);
        }
    }

    private void readStderr() {
        try (var r =
                new java.io.BufferedReader(new java.io.InputStreamReader(process.stderr(), StandardCharsets.UTF_8))) {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = r.read()) >= 0) {
                if (c == '\n') {
                    stderrLine(sb.toString());
                    sb.setLength(0);
                } else if (sb.length() < 8192) {
                    sb.append((char) c);
                }
            }
            if (!sb.isEmpty()) {
                stderrLine(sb.toString());
            }
        } catch (IOException e) {
            // the process is gone
        } catch (RuntimeException | Error e) {
            readerFailed("stderr", e);
        }
    }

    private void down(String reason) {
        if (downReason.isEmpty()) {
            downReason = reason;
            if (droppedReplies.get() > 0) {
                logs.add("[atoll] " + droppedReplies.get() + " replies to the server's own requests were dropped "
                        + "because it was not reading its stdin");
            }
        }
        closed.set(true);
        for (Pending p : List.copyOf(pending.values())) {
            // Only a tools/call is "the call" an agent made; initialize and tools/list are the start.
            p.future()
                    .completeExceptionally(new UpstreamException(
                            UpstreamException.Kind.DOWN,
                            "upstream '" + name
                                    + "' " + downReason
                                    + (p.method().equals("tools/call")
                                            ? " during the call; it is being restarted"
                                            : " before answering " + p.method())));
        }
        writer.shutdown();
    }

    static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }

    /** The server's exit code, waiting up to 2 s for it (after it closed its stdout); empty if not known by then. */
    private Optional<Integer> exitCode() {
        try {
            return Optional.of(process.onExit().get(2, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        }
    }

    /** Stops the server (see {@link SandboxProcess#stop}) and fails what is in flight. */
    void close(Duration grace) {
        closed.set(true);
        // A server that already closed its stdout has exited (or is exiting) on its own: a close that
        // races the stdout reader (a health check, a restart) must not report it as "stopped".
        down(stdoutEnded ? exitCode().map(c -> "exited with code " + c).orElse("was stopped") : "was stopped");
        process.stop(grace);
        writer.shutdownNow();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }
}

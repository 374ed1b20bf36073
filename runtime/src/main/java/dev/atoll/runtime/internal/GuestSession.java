package dev.atoll.runtime.internal;

import dev.atoll.runtime.Limits;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.LockSupport;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;

/**
 * One fresh context with the bootstrap and the tool module evaluated in it, used for exactly one call
 * and then closed. Not thread-safe: one thread at a time (preparation and the call may be on different
 * threads).
 */
public final class GuestSession implements AutoCloseable {

    private final Context context;
    private final LogSink logs;
    private final TimerQueue timers = new TimerQueue();
    private Value runner;
    private Value namespace;
    private Settlement settlement;
    private boolean used;
    private volatile Watchdog.Monitor monitor;

    private GuestSession(Context context, Limits limits) {
        this.context = context;
        this.logs = new LogSink(limits.logEntries(), limits.logBytes());
    }

    /**
     * Creates a context and evaluates the bootstrap and the tool module in it, on the calling thread
     * (which the caller watches). On failure the context is closed and the exception propagates.
     *
     * @param engine the shared engine
     * @param module the tool module
     * @param limits the call's limits
     * @param monitor the watchdog monitor of the calling thread; it may cancel the context
     * @return the session
     */
    public static GuestSession open(GuestEngine engine, Source module, Limits limits, Watchdog.Monitor monitor) {
        Context context = engine.newContext();
        try {
            GuestSession session = new GuestSession(context, limits);
            session.watchedBy(monitor);
            ProxyExecutable memory = args -> {
                session.monitor.trip(Violation.MEMORY);
                return null;
            };
            ProxyExecutable log = args -> {
                if (args.length == 2 && args[0].isString() && args[1].isString()) {
                    session.logs.add(args[0].asString(), args[1].asString());
                }
                return null;
            };
            session.runner = context.eval(engine.bootstrap())
                    .execute(log, session.timerBinding(), memory, (int) Math.min(Integer.MAX_VALUE, limits.logBytes()),
                            (double) limits.memoryBytes());
            session.namespace = context.eval(module);
            return session;
        } catch (RuntimeException | Error e) {
            context.close(true);
            throw e;
        }
    }

    private ProxyExecutable timerBinding() {
        return args -> {
            if (args.length != 2 || !args[0].isString() || !args[1].isNumber()) {
                return -1;
            }
            return switch (args[0].asString()) {
                case "set" -> timers.set(args[1].asDouble());
                case "clear" -> {
                    if (args[1].fitsInInt()) {
                        timers.clear(args[1].asInt());
                    }
                    yield 0;
                }
                default -> -1;
            };
        };
    }

    /**
     * Hands the session to the monitor of the thread that now runs it (a prepared session is
     * created on one thread and called on another).
     *
     * @param m the monitor
     */
    public void watchedBy(Watchdog.Monitor m) {
        this.monitor = m;
        m.attach(context);
    }

    /** The module's exported {@code tool} manifest as JSON text ({@code null} if absent). */
    public String manifestJson() {
        return runner.invokeMember("manifest", namespace.getMember("tool")).asString();
    }

    /** Whether the module has an executable default export. */
    public boolean hasEntryPoint() {
        Value entry = namespace.getMember("default");
        return entry != null && entry.canExecute();
    }

    /**
     * Runs the call: invokes the default export with the arguments and drives timers until the
     * promise settles, nothing is left that could settle it, or the deadline passes.
     *
     * @param argsJson the arguments, as JSON
     * @param envJson the {@code env} object, as JSON
     * @param maxChars largest result, in UTF-16 chars, the guest may hand back
     * @param deadlineNanos wall deadline ({@link System#nanoTime()})
     * @return how the guest side ended
     */
    public Settlement run(String argsJson, String envJson, long maxChars, long deadlineNanos) {
        if (used) {
            throw new IllegalStateException("a guest session serves exactly one call");
        }
        used = true;
        ProxyExecutable settle = args -> {
            if (settlement == null && args.length == 2 && args[0].isString() && args[1].isString()) {
                settlement = new Settlement(args[0].asString(), args[1].asString());
            }
            return null;
        };
        runner.invokeMember("run", namespace.getMember("default"), argsJson, envJson,
                (double) Math.min(maxChars, Integer.MAX_VALUE), settle);
        while (settlement == null) {
            TimerQueue.Timer next = timers.peek();
            if (next == null) {
                return Settlement.NEVER;
            }
            if (next.dueNanos() - deadlineNanos > 0) {
                sleepUntil(deadlineNanos);
                return Settlement.DEADLINE;
            }
            if (next.dueNanos() - System.nanoTime() > 0) {
                sleepUntil(next.dueNanos());
                continue;
            }
            timers.poll();
            runner.invokeMember("fire", next.id());
        }
        return settlement;
    }

    private static void sleepUntil(long nanos) {
        long wait;
        while ((wait = nanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
            if (Thread.interrupted()) {
                throw new CancellationException("runtime shutting down");
            }
        }
    }

    /** Captured console messages. */
    public java.util.List<dev.atoll.runtime.LogEntry> logs() {
        return logs.entries();
    }

    /** Console messages dropped at the limit. */
    public int droppedLogs() {
        return logs.dropped();
    }

    /** Closes the context, cancelling anything still running in it. */
    @Override
    public void close() {
        try {
            context.close(true);
        } catch (RuntimeException e) {
            // already closed by the watchdog
        }
    }
}

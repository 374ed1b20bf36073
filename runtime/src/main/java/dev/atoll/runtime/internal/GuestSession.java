package dev.atoll.runtime.internal;

import dev.atoll.runtime.EgressRecord;
import dev.atoll.runtime.Limits;
import dev.atoll.runtime.ToolManifest;
import dev.atoll.runtime.spi.BindingCall;
import dev.atoll.runtime.spi.CallScope;
import dev.atoll.runtime.spi.GuestArgs;
import dev.atoll.runtime.spi.PendingOperation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.jspecify.annotations.Nullable;

/**
 * One fresh context with the bootstrap and the tool module evaluated in it, used for exactly one call
 * and then closed. Not thread-safe: one thread at a time (preparation and the call may be on different
 * threads).
 */
public final class GuestSession implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(GuestSession.class.getName());
    /** Receipt entries kept per call; more are dropped. */
    static final int MAX_EGRESS_RECORDS = 1000;

    private final Context context;
    private final GuestLanguage guest;
    private final LogSink logs;
    private final TimerQueue timers = new TimerQueue();
    private final List<Binding> bindings;
    /** Per binding: the delivery function its guest script returned (null if it has no script). */
    private final List<@Nullable Value> deliveries = new ArrayList<>();
    /** Per binding: the host side of the current call, set while the call runs. */
    private volatile BindingCall @Nullable [] calls;

    /** The call's shared state, set when the call starts. */
    private @Nullable Scope scope;

    private final Value runner;
    private final Value namespace;
    /** How the guest settled the call, once it has. */
    private @Nullable Settlement settlement;

    private boolean used;
    private volatile Watchdog.Monitor monitor;

    private final String fileName;

    /**
     * Evaluates the bootstrap, the bindings' guest scripts and the tool module in {@code context}, on
     * the calling thread, watched by {@code monitor} (see {@link #open}).
     */
    private GuestSession(
            GuestEngine engine,
            Context context,
            Source module,
            Limits limits,
            Watchdog.Monitor monitor,
            List<Binding> bindings) {
        this.context = context;
        this.guest = engine.guest();
        this.logs = new LogSink(limits.logEntries(), limits.logBytes());
        this.bindings = bindings;
        this.fileName = module.getName();
        this.monitor = monitor;
        monitor.attach(context);
        ProxyExecutable memory = args -> {
            this.monitor.trip(Violation.MEMORY);
            return null;
        };
        ProxyExecutable log = args -> {
            if (args.length == 2 && args[0].isString() && args[1].isString()) {
                logs.add(args[0].asString(), args[1].asString());
            }
            return null;
        };
        // The call's own CPU time (its thread's, since its accounting began), for Python's CPU clocks.
        ProxyExecutable cpu = args -> (double) Math.max(0, this.monitor.cpuUsedNanos());
        int logChars = (int) Math.min(Integer.MAX_VALUE, limits.logBytes());
        this.runner = guest.bootstrap(
                context, engine, new GuestLanguage.Hooks(log, timerBinding(), memory, cpu, logChars), limits);
        for (int i = 0; i < bindings.size(); i++) {
            java.util.Optional<Source> script = guest.bindingScript(bindings.get(i));
            if (script.isEmpty()) {
                deliveries.add(null);
                continue;
            }
            Value delivery = guest.installBinding(context, script.get(), hostFunction(i), waitFunction(), runner);
            if (!delivery.canExecute()) {
                throw new IllegalStateException("the guest script of binding '"
                        + bindings.get(i).binding().name() + "' did not return a delivery function");
            }
            deliveries.add(delivery);
        }
        // Creating the context and installing the bootstrap and the bindings is Atoll's cost, not the
        // tool's: a GraalPy context costs 50-100 ms of CPU and tens of MB even when warm, and a
        // GraalJS one several ms while the JIT is still cold (a node's first minute under load),
        // which used to fail cold-started calls of tiny tools with cpu_exceeded. The tool's module
        // evaluation and its call are measured from here, as on a context prepared in advance.
        monitor.rebase();
        this.namespace = guest.evaluateModule(context, module);
    }

    /**
     * Creates a context and evaluates the bootstrap and the tool module in it, on the calling thread
     * (which the caller watches). On failure the context is closed and the exception propagates.
     *
     * @param engine the shared engine
     * @param module the tool module
     * @param limits the call's limits
     * @param monitor the watchdog monitor of the calling thread; it may cancel the context
     * @param bindings host bindings whose guest scripts are installed after the bootstrap
     * @return the session
     */
    public static GuestSession open(
            GuestEngine engine, Source module, Limits limits, Watchdog.Monitor monitor, List<Binding> bindings) {
        monitor.beginSetup(); // until the rebase in the constructor, see there
        Context context = engine.newContext();
        try {
            return new GuestSession(engine, context, module, limits, monitor, bindings);
        } catch (RuntimeException | Error e) {
            context.close(true);
            throw e;
        }
    }

    /**
     * The {@code wait(id)} function of guest scripts whose calls block on host work (Python's): runs
     * deliveries on this (the guest) thread until operation {@code id} has been delivered; {@code false}
     * if the call ends, is stopped or nothing left in flight could deliver it.
     */
    private ProxyExecutable waitFunction() {
        return args -> {
            if (args.length != 1 || !args[0].isNumber() || !args[0].fitsInInt()) {
                return false;
            }
            return waitFor(args[0].asInt());
        };
    }

    private boolean waitFor(int id) {
        Scope sc = scope;
        if (sc == null || calls == null) {
            return false;
        }
        while (true) {
            if (monitor.violation().isPresent()) {
                return false;
            }
            Completion done = sc.completions.poll();
            if (done != null) {
                sc.inFlight.decrementAndGet();
                Value delivery = deliveries.get(done.binding());
                if (delivery != null) {
                    delivery.execute(done.id(), done.payload());
                }
                if (done.id() == id) {
                    return true;
                }
                continue;
            }
            long now = System.nanoTime();
            if (now - sc.deadline >= 0 || sc.inFlight.get() == 0) {
                return false;
            }
            // Woken early by a host completion or the watchdog (both unpark this thread).
            LockSupport.parkNanos(this, sc.deadline - now);
            if (Thread.interrupted()) {
                throw new CancellationException("runtime shutting down");
            }
        }
    }

    /** The {@code host} function handed to binding {@code index}'s guest script. */
    private ProxyExecutable hostFunction(int index) {
        return args -> {
            BindingCall[] current = calls;
            if (current == null || args.length == 0 || !args[0].isString()) {
                return null; // outside a call: the module is being evaluated
            }
            Object[] values = new Object[args.length - 1];
            for (int i = 1; i < args.length; i++) {
                Value v = args[i];
                values[i - 1] = v.isString()
                        ? v.asString()
                        : v.isBoolean()
                                ? (Object) v.asBoolean()
                                : v.isNumber() && v.fitsInDouble() ? (Object) v.asDouble() : null;
            }
            Object result;
            try {
                result = current[index].invoke(args[0].asString(), GuestArgs.of(values));
            } catch (RuntimeException e) {
                LOG.log(
                        Level.WARNING,
                        "binding '" + bindings.get(index).binding().name() + "' failed: "
                                + e.getClass().getName());
                return null;
            }
            return result instanceof String || result instanceof Number || result instanceof Boolean ? result : null;
        };
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

    /** The module's exported manifest ({@code tool}, {@code TOOL}) as JSON text ({@code "null"} if absent). */
    public String manifestJson() {
        return guest.manifestJson(runner, namespace);
    }

    /** Whether the module has an executable entry point (JS default export, Python {@code main}). */
    public boolean hasEntryPoint() {
        Value entry = namespace.getMember(dev.atoll.runtime.Entry.TOOL.exportName(guest.language()));
        return entry != null && entry.canExecute();
    }

    /**
     * Runs the call: opens the bindings' host sides and has the language run the entry function with
     * the arguments ({@link GuestLanguage#run}) until it settles, nothing is left that could settle it,
     * the watchdog cancels the call, or the deadline passes. The bindings are closed (aborting whatever
     * they still have in flight) before this returns or throws.
     *
     * @param argsJson the arguments, as JSON
     * @param envJson the {@code env} object, as JSON
     * @param maxChars largest result, in UTF-16 chars, the guest may hand back
     * @param deadlineNanos wall deadline ({@link System#nanoTime()})
     * @param manifest the tool's manifest (its egress and secrets grants go to the bindings)
     * @param digest SHA-256 of the tool's code
     * @param inv which export runs, and the caller's tenant and attachments, handed to the bindings
     * @return how the guest side ended
     */
    public Settlement run(
            String argsJson,
            String envJson,
            long maxChars,
            long deadlineNanos,
            ToolManifest manifest,
            String digest,
            dev.atoll.runtime.Invocation inv) {
        if (used) {
            throw new IllegalStateException("a guest session serves exactly one call");
        }
        used = true;
        Scope sc = new Scope(manifest, digest, inv, deadlineNanos, Thread.currentThread());
        scope = sc;
        String export = inv.entry().exportName(guest.language());
        Value entry = namespace.getMember(export);
        if (entry == null || !entry.canExecute()) {
            return new Settlement.Error(Settlement.errorJson("the module exports no function '" + export + "'", ""));
        }
        try {
            openBindings(sc);
            return guest.run(runner, entry, new Call(sc, argsJson, envJson, maxChars, deadlineNanos));
        } finally {
            closeBindings();
        }
    }

    /** The session's side of one call, for {@link GuestLanguage#run}. */
    private final class Call implements GuestLanguage.Call {
        private final Scope scope;
        private final String argsJson;
        private final String envJson;
        private final long maxChars;
        private final long deadlineNanos;

        Call(Scope scope, String argsJson, String envJson, long maxChars, long deadlineNanos) {
            this.scope = scope;
            this.argsJson = argsJson;
            this.envJson = envJson;
            this.maxChars = maxChars;
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public String argsJson() {
            return argsJson;
        }

        @Override
        public String envJson() {
            return envJson;
        }

        @Override
        public long maxChars() {
            return maxChars;
        }

        @Override
        public String fileName() {
            return fileName;
        }

        @Override
        public ProxyExecutable settleFunction(
                java.util.function.Function<Value[], java.util.Optional<Settlement>> read) {
            return args -> {
                if (settlement == null) {
                    read.apply(args).ifPresent(s -> settlement = s);
                }
                return null;
            };
        }

        @Override
        public Settlement eventLoop() {
            return loop(scope, deadlineNanos);
        }

        @Override
        public Settlement settledOnReturn() {
            if (settlement != null) {
                return settlement;
            }
            return monitor.violation().isPresent() ? Settlement.STOPPED : Settlement.NEVER;
        }
    }

    private Settlement loop(Scope scope, long deadlineNanos) {
        while (settlement == null) {
            if (monitor.violation().isPresent()) {
                return Settlement.STOPPED;
            }
            Completion done = scope.completions.poll();
            if (done != null) {
                scope.inFlight.decrementAndGet();
                Value delivery = deliveries.get(done.binding());
                if (delivery != null) {
                    delivery.execute(done.id(), done.payload());
                }
                continue;
            }
            long now = System.nanoTime();
            TimerQueue.Timer next = timers.peek();
            if (next != null && next.dueNanos() - now <= 0 && next.dueNanos() - deadlineNanos <= 0) {
                timers.poll();
                runner.invokeMember("fire", next.id());
                continue;
            }
            if (now - deadlineNanos >= 0) {
                return Settlement.DEADLINE;
            }
            if (next == null && scope.inFlight.get() == 0) {
                return Settlement.NEVER;
            }
            long wake = next == null || next.dueNanos() - deadlineNanos > 0 ? deadlineNanos : next.dueNanos();
            // Woken early by a host completion or the watchdog (both unpark this thread).
            LockSupport.parkNanos(this, wake - now);
            if (Thread.interrupted()) {
                throw new CancellationException("runtime shutting down");
            }
        }
        return settlement;
    }

    private void openBindings(Scope scope) {
        BindingCall[] opened = new BindingCall[bindings.size()];
        try {
            for (int i = 0; i < opened.length; i++) {
                opened[i] = java.util.Objects.requireNonNull(
                        bindings.get(i).binding().open(scope.forBinding(i)), "BindingCall");
            }
        } catch (RuntimeException e) {
            for (BindingCall c : opened) {
                closeQuietly(c);
            }
            throw e;
        }
        calls = opened;
    }

    private void closeBindings() {
        if (scope != null) {
            scope.ended.set(true);
        }
        BindingCall[] opened = calls;
        calls = null;
        if (opened != null) {
            for (BindingCall c : opened) {
                closeQuietly(c);
            }
        }
    }

    private static void closeQuietly(@Nullable BindingCall c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "closing a binding failed", e);
        }
    }

    /** Outbound requests the bindings recorded during the call, in order. */
    public List<EgressRecord> egress() {
        return scope == null ? List.of() : scope.records();
    }

    private record Completion(int binding, int id, String payload) {}

    /** One call's shared state between the guest thread and the bindings' threads. */
    private static final class Scope {
        final ToolManifest manifest;
        final String digest;
        final String tenant;
        final dev.atoll.runtime.Invocation inv;
        final long deadline;
        final Thread guest;
        final AtomicBoolean ended = new AtomicBoolean();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger nextId = new AtomicInteger(1);
        final ConcurrentLinkedQueue<Completion> completions = new ConcurrentLinkedQueue<>();
        private final List<EgressRecord> records = new ArrayList<>();

        Scope(ToolManifest manifest, String digest, dev.atoll.runtime.Invocation inv, long deadline, Thread guest) {
            this.manifest = manifest;
            this.digest = digest;
            this.inv = inv;
            this.tenant = inv.tenant();
            this.deadline = deadline;
            this.guest = guest;
        }

        synchronized List<EgressRecord> records() {
            return List.copyOf(records);
        }

        CallScope forBinding(int binding) {
            return new CallScope() {
                @Override
                public String toolName() {
                    return manifest.name();
                }

                @Override
                public String toolDigest() {
                    return digest;
                }

                @Override
                public java.util.Optional<String> tenant() {
                    return tenant.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(tenant);
                }

                @Override
                public dev.atoll.runtime.Entry entry() {
                    return inv.entry();
                }

                @Override
                public <T> java.util.Optional<T> attachment(Class<T> type) {
                    return inv.attachment(type);
                }

                @Override
                public List<String> egress() {
                    return manifest.egress();
                }

                @Override
                public Map<String, List<String>> secrets() {
                    return manifest.secrets();
                }

                @Override
                public long deadlineNanos() {
                    return deadline;
                }

                @Override
                public boolean ended() {
                    return ended.get();
                }

                @Override
                public PendingOperation begin() {
                    if (ended.get()) {
                        throw new IllegalStateException("the call has ended");
                    }
                    int id = nextId.getAndIncrement();
                    inFlight.incrementAndGet();
                    AtomicBoolean completed = new AtomicBoolean();
                    return new PendingOperation() {
                        @Override
                        public int id() {
                            return id;
                        }

                        @Override
                        public boolean complete(String payload) {
                            java.util.Objects.requireNonNull(payload, "payload");
                            if (ended.get() || !completed.compareAndSet(false, true)) {
                                return false;
                            }
                            completions.add(new Completion(binding, id, payload));
                            LockSupport.unpark(guest);
                            return true;
                        }
                    };
                }

                @Override
                public void record(EgressRecord entry) {
                    java.util.Objects.requireNonNull(entry, "entry");
                    synchronized (Scope.this) {
                        if (records.size() < MAX_EGRESS_RECORDS) {
                            records.add(entry);
                        }
                    }
                }
            };
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
        closeBindings();
        try {
            context.close(true);
        } catch (RuntimeException e) {
            // already closed by the watchdog
        }
    }
}

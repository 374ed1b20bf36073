package dev.atoll.runtime.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The OS scheduling priority (nice value) of single threads, on Linux. There every thread is a task
 * with a nice value of its own, and a process may raise any of its threads' nice value (lower their
 * priority) without privileges; Java's {@link Thread#setPriority} has no effect there. Elsewhere, or
 * when the C library does not offer {@code gettid}/{@code setpriority}, nothing is changed and
 * {@link #available()} is false.
 *
 * <p>Needs native access for the runtime's module ({@code --enable-native-access=dev.atoll.runtime});
 * without it the JVM prints a warning once and the calls still work.
 */
// Linker.downcallHandle is a restricted method: calling it is this class's purpose (see above).
@SuppressWarnings("restricted")
final class OsPriority {

    private static final Logger LOG = Logger.getLogger(OsPriority.class.getName());
    /** The lowest priority: a nice-19 thread gets about 1.5 % of a core against one nice-0 thread. */
    static final int LOWEST = 19;

    private static final int PRIO_PROCESS = 0;
    private static final @Nullable MethodHandle GETTID;
    private static final @Nullable MethodHandle SETPRIORITY;
    private static final @Nullable MethodHandle GETPRIORITY;

    static {
        MethodHandle gettid = null;
        MethodHandle setpriority = null;
        MethodHandle getpriority = null;
        if (System.getProperty("os.name", "").startsWith("Linux")) {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                gettid = linker.downcallHandle(
                        libc.find("gettid").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
                setpriority = linker.downcallHandle(
                        libc.find("setpriority").orElseThrow(),
                        FunctionDescriptor.of(
                                ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT));
                getpriority = linker.downcallHandle(
                        libc.find("getpriority").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            } catch (RuntimeException | Error e) {
                LOG.log(
                        Level.WARNING,
                        "thread priorities are not available: all guest threads run at the same" + " OS priority",
                        e);
                gettid = null;
                setpriority = null;
                getpriority = null;
            }
        }
        GETTID = gettid;
        SETPRIORITY = setpriority;
        GETPRIORITY = getpriority;
    }

    private OsPriority() {}

    /** Whether thread priorities can be changed on this OS. */
    static boolean available() {
        return SETPRIORITY != null;
    }

    /** The calling thread's OS thread id, if available. */
    static Optional<Integer> currentThreadId() {
        if (GETTID == null) {
            return Optional.empty();
        }
        try {
            return Optional.of((int) GETTID.invokeExact());
        } catch (Throwable t) {
            return Optional.empty();
        }
    }

    /**
     * Sets the nice value of one thread of this process. Raising it needs no privilege; lowering it
     * usually does (and then fails).
     *
     * @param tid the OS thread id ({@link #currentThreadId()} on that thread)
     * @param nice -20 (highest) to 19 (lowest)
     * @return whether it was set
     */
    static boolean setNice(int tid, int nice) {
        if (SETPRIORITY == null) {
            return false;
        }
        try {
            return (int) SETPRIORITY.invokeExact(PRIO_PROCESS, tid, nice) == 0;
        } catch (Throwable t) {
            return false;
        }
    }

    /**
     * The nice value of one thread of this process.
     *
     * @param tid the OS thread id
     * @return its nice value, or empty if unavailable
     */
    static Optional<Integer> nice(int tid) {
        if (GETPRIORITY == null) {
            return Optional.empty();
        }
        try {
            // getpriority returns the nice value itself on Linux's C library (-20..19); -1 may be an error.
            return Optional.of((int) GETPRIORITY.invokeExact(PRIO_PROCESS, tid));
        } catch (Throwable t) {
            return Optional.empty();
        }
    }
}

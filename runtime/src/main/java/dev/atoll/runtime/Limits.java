package dev.atoll.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * The resources one call may use. Enforced by Atoll's own watchdog, not by the guest language:
 * CPU time and memory are read from the guest thread's counters, wall time from a deadline.
 *
 * @param cpu CPU time of the guest thread (module evaluation of a cold call included)
 * @param wall wall-clock time from the start of the call on its guest thread
 * @param memoryBytes the heap a call may use. GraalVM CE cannot measure the heap a context retains,
 *     so Atoll enforces it in three ways: a single allocation larger than this (a typed array, a
 *     repeated string) is refused up front; the guest thread may allocate at most
 *     {@code allocationFactor} times this in total (garbage included); and a node-wide heap guard
 *     cancels the call that allocated most when the heap stays full after a GC
 * @param outputBytes size of the JSON result in UTF-8 bytes
 * @param logBytes total size of the captured console messages; more are dropped and counted
 * @param logEntries number of captured console messages; more are dropped and counted
 */
public record Limits(Duration cpu, Duration wall, long memoryBytes, long outputBytes, long logBytes, int logEntries) {

    private static final long MB = 1024L * 1024L;

    /** Validates the components: every limit must be positive. */
    public Limits {
        Objects.requireNonNull(cpu, "cpu");
        Objects.requireNonNull(wall, "wall");
        requirePositive("cpu", cpu.toNanos());
        requirePositive("wall", wall.toNanos());
        requirePositive("memoryBytes", memoryBytes);
        requirePositive("outputBytes", outputBytes);
        requirePositive("logBytes", logBytes);
        requirePositive("logEntries", logEntries);
    }

    /**
     * Atoll's default per-call limits: 1 s CPU, 5 s wall, 64 MiB allocation, 1 MiB output, 64 KiB
     * and 200 console messages.
     *
     * @return the defaults
     */
    public static Limits defaults() {
        return new Limits(Duration.ofSeconds(1), Duration.ofSeconds(5), 64 * MB, MB, 64 * 1024, 200);
    }

    /**
     * Atoll's default operator maxima, the ceiling for any manifest override: 10 s CPU, 60 s wall,
     * 512 MiB allocation, 16 MiB output, 1 MiB and 5,000 console messages.
     *
     * @return the maxima
     */
    public static Limits defaultMaxima() {
        return new Limits(Duration.ofSeconds(10), Duration.ofSeconds(60), 512 * MB, 16 * MB, MB, 5000);
    }

    /**
     * These limits with a tool's requested overrides applied, each capped by {@code maxima}.
     *
     * @param requested the manifest's {@code limits}
     * @param maxima the operator's ceiling
     * @return the effective limits
     */
    public Limits withOverrides(LimitOverrides requested, Limits maxima) {
        Duration c = requested.cpuMs().isPresent()
                ? Duration.ofMillis(requested.cpuMs().getAsLong())
                : cpu;
        Duration w = requested.wallMs().isPresent()
                ? Duration.ofMillis(requested.wallMs().getAsLong())
                : wall;
        long m = requested.memoryMb().isPresent() ? requested.memoryMb().getAsLong() * MB : memoryBytes;
        long o = requested.outputKb().isPresent() ? requested.outputKb().getAsLong() * 1024 : outputBytes;
        long l = requested.logKb().isPresent() ? requested.logKb().getAsLong() * 1024 : logBytes;
        return new Limits(
                min(c, maxima.cpu),
                min(w, maxima.wall),
                Math.min(m, maxima.memoryBytes),
                Math.min(o, maxima.outputBytes),
                Math.min(l, maxima.logBytes),
                Math.min(logEntries, maxima.logEntries));
    }

    /**
     * These limits, each capped by {@code maxima}.
     *
     * @param maxima the ceiling
     * @return the capped limits
     */
    public Limits cappedBy(Limits maxima) {
        return withOverrides(LimitOverrides.none(), maxima);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void requirePositive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}

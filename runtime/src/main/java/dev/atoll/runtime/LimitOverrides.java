package dev.atoll.runtime;

import java.util.OptionalLong;

/**
 * The limits a tool's manifest asks for ({@code limits: {cpuMs, wallMs, memoryMb, outputKb, logKb}});
 * each is optional and capped by the operator's maxima.
 *
 * @param cpuMs CPU time in milliseconds
 * @param wallMs wall time in milliseconds
 * @param memoryMb allocation budget in MiB
 * @param outputKb result size in KiB
 * @param logKb console output in KiB
 */
public record LimitOverrides(
        OptionalLong cpuMs, OptionalLong wallMs, OptionalLong memoryMb, OptionalLong outputKb, OptionalLong logKb) {

    /** Rejects non-positive values. */
    public LimitOverrides {
        check("cpuMs", cpuMs);
        check("wallMs", wallMs);
        check("memoryMb", memoryMb);
        check("outputKb", outputKb);
        check("logKb", logKb);
    }

    /** No overrides: the operator's defaults apply. */
    public static LimitOverrides none() {
        OptionalLong e = OptionalLong.empty();
        return new LimitOverrides(e, e, e, e, e);
    }

    private static void check(String name, OptionalLong v) {
        if (v.isPresent() && v.getAsLong() <= 0) {
            throw new IllegalArgumentException("limits." + name + " must be a positive integer, got " + v.getAsLong());
        }
    }
}

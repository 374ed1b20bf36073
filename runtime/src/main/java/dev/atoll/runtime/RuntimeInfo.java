package dev.atoll.runtime;

import java.util.Objects;

/**
 * Which GraalVM runtime executes guest code.
 *
 * @param implementationName the engine's implementation name: {@code GraalVM CE} with the optimizing
 *     runtime, {@code Interpreted} without
 * @param graalVersion the GraalVM (polyglot) version
 * @param optimizing whether guest code is JIT-compiled
 * @param reason why the optimizing runtime is off, or a description of what is active
 */
public record RuntimeInfo(String implementationName, String graalVersion, boolean optimizing, String reason) {
    /** Rejects nulls. */
    public RuntimeInfo {
        Objects.requireNonNull(implementationName, "implementationName");
        Objects.requireNonNull(graalVersion, "graalVersion");
        Objects.requireNonNull(reason, "reason");
    }
}

package dev.atoll.runtime;

import dev.atoll.runtime.internal.CompiledTool;
import java.util.Objects;

/**
 * A loaded tool version: its source, checked manifest and effective limits. Immutable and
 * thread-safe; one {@code Tool} serves any number of calls, each in its own fresh context.
 */
public final class Tool {
    private final ToolSource source;
    private final String codeDigest;
    private final Limits limits;
    private final CompiledTool compiled;

    Tool(ToolSource source, Limits limits, CompiledTool compiled) {
        this.source = Objects.requireNonNull(source);
        this.codeDigest = source.codeDigest();
        this.limits = Objects.requireNonNull(limits);
        this.compiled = Objects.requireNonNull(compiled);
    }

    /** The tool's name from its manifest. */
    public String name() {
        return compiled.manifest().name();
    }

    /** The manifest. */
    public ToolManifest manifest() {
        return compiled.manifest();
    }

    /** The source it was loaded from. */
    public ToolSource source() {
        return source;
    }

    /** SHA-256 of the code. */
    public String codeDigest() {
        return codeDigest;
    }

    /** Effective limits of each call: defaults with the manifest's overrides, capped by the maxima. */
    public Limits limits() {
        return limits;
    }

    CompiledTool compiled() {
        return compiled;
    }

    @Override
    public String toString() {
        return "Tool[" + name() + "@" + codeDigest.substring(0, 12) + "]";
    }
}

package dev.atoll.runtime;

import dev.atoll.runtime.internal.RuntimeCore;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A fresh context for one call of one tool, created ahead of time with the tool module already
 * evaluated. It serves exactly one {@link ToolRuntime#call(WarmContext, com.fasterxml.jackson.databind.JsonNode)}
 * and is closed by it; {@link #close()} discards it unused.
 */
public final class WarmContext implements AutoCloseable {
    private final Tool tool;
    private final RuntimeCore.Prepared prepared;
    private final AtomicBoolean taken = new AtomicBoolean();

    WarmContext(Tool tool, RuntimeCore.Prepared prepared) {
        this.tool = Objects.requireNonNull(tool);
        this.prepared = Objects.requireNonNull(prepared);
    }

    /** The tool this context was prepared for. */
    public Tool tool() {
        return tool;
    }

    /** Wall time spent creating the context and evaluating the module. */
    public Duration preparationTime() {
        return switch (prepared) {
            case RuntimeCore.Prepared.Ready r -> r.elapsed();
            case RuntimeCore.Prepared.Failed f -> f.receipt().wall();
        };
    }

    /** Whether preparation succeeded (a failed one still answers its call, with the failure). */
    public boolean ready() {
        return prepared instanceof RuntimeCore.Prepared.Ready;
    }

    /** Marks this context used; returns its preparation, or throws if it was used or closed before. */
    RuntimeCore.Prepared take() {
        if (!taken.compareAndSet(false, true)) {
            throw new IllegalStateException("a warm context serves exactly one call");
        }
        return prepared;
    }

    /** Discards the context if it was never used. */
    @Override
    public void close() {
        if (taken.compareAndSet(false, true) && prepared instanceof RuntimeCore.Prepared.Ready r) {
            r.session().close();
        }
    }
}

package dev.atoll.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How one call ended: a closed set, one record per {@link OutcomeKind}. Switch over it without a
 * {@code default} so that a new kind is a compile error everywhere it matters.
 */
public sealed interface Outcome {

    /** The kind of this outcome. */
    OutcomeKind kind();

    /** A human-readable description, safe to show to the caller (no host details). */
    String message();

    /**
     * The tool returned {@code value}, which passed the output schema if there is one.
     *
     * @param value the result as JSON ({@code null} node for {@code undefined})
     */
    record Ok(JsonNode value) implements Outcome {
        /** Rejects a null value. */
        public Ok {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public OutcomeKind kind() {
            return OutcomeKind.OK;
        }

        @Override
        public String message() {
            return "ok";
        }
    }

    /**
     * The tool threw or its promise rejected.
     *
     * @param message the error's message
     * @param stack stack frames in the tool file only, e.g. {@code at default (tool.mjs:3:9)}
     */
    record ToolError(String message, List<String> stack) implements Outcome {
        /** Copies the stack. */
        public ToolError {
            Objects.requireNonNull(message, "message");
            stack = List.copyOf(stack);
        }

        @Override
        public OutcomeKind kind() {
            return OutcomeKind.TOOL_ERROR;
        }
    }

    /**
     * The arguments failed the input schema; the tool did not run.
     *
     * @param message summary
     * @param errors one line per violation, with its JSON location
     */
    record InvalidArguments(String message, List<String> errors) implements Outcome {
        /** Copies the errors. */
        public InvalidArguments {
            Objects.requireNonNull(message, "message");
            errors = List.copyOf(errors);
        }

        @Override
        public OutcomeKind kind() {
            return OutcomeKind.INVALID_ARGUMENTS;
        }
    }

    /**
     * The result is not JSON or fails the output schema.
     *
     * @param message summary
     * @param errors one line per violation
     */
    record InvalidOutput(String message, List<String> errors) implements Outcome {
        /** Copies the errors. */
        public InvalidOutput {
            Objects.requireNonNull(message, "message");
            errors = List.copyOf(errors);
        }

        @Override
        public OutcomeKind kind() {
            return OutcomeKind.INVALID_OUTPUT;
        }
    }

    /**
     * The tool file does not load.
     *
     * @param message what is wrong, with a location where known
     */
    record InvalidTool(String message) implements Outcome {
        /** Rejects a null message. */
        public InvalidTool {
            Objects.requireNonNull(message, "message");
        }

        @Override
        public OutcomeKind kind() {
            return OutcomeKind.INVALID_TOOL;
        }
    }

    /**
     * The call used up its CPU budget and was cancelled.
     *
     * @param limit the budget
     */
    record CpuExceeded(Duration limit) implements Outcome {
        @Override
        public OutcomeKind kind() {
            return OutcomeKind.CPU_EXCEEDED;
        }

        @Override
        public String message() {
            return "the tool used more than its CPU time limit of " + limit.toMillis() + " ms";
        }
    }

    /**
     * The call used up its memory budget (or the node ran short of heap) and was cancelled.
     *
     * @param limitBytes the budget
     */
    record MemoryExceeded(long limitBytes) implements Outcome {
        @Override
        public OutcomeKind kind() {
            return OutcomeKind.MEMORY_EXCEEDED;
        }

        @Override
        public String message() {
            return "the tool used more than its memory limit of " + (limitBytes / (1024 * 1024)) + " MiB";
        }
    }

    /**
     * The call ran past its wall-time budget and was cancelled.
     *
     * @param limit the budget
     */
    record WallExceeded(Duration limit) implements Outcome {
        @Override
        public OutcomeKind kind() {
            return OutcomeKind.WALL_EXCEEDED;
        }

        @Override
        public String message() {
            return "the tool ran longer than its wall-time limit of " + limit.toMillis() + " ms";
        }
    }

    /**
     * The result is larger than the output limit.
     *
     * @param sizeBytes the size seen (at least this large)
     * @param limitBytes the limit
     */
    record OutputTooLarge(long sizeBytes, long limitBytes) implements Outcome {
        @Override
        public OutcomeKind kind() {
            return OutcomeKind.OUTPUT_TOO_LARGE;
        }

        @Override
        public String message() {
            return "the tool's result is " + sizeBytes + " bytes; the limit is " + limitBytes + " bytes";
        }
    }

    /**
     * The call was not run because the node is at capacity.
     *
     * @param retryAfter a hint for when to retry
     */
    record LoadShed(Duration retryAfter) implements Outcome {
        @Override
        public OutcomeKind kind() {
            return OutcomeKind.LOAD_SHED;
        }

        @Override
        public String message() {
            return "the node is at capacity; retry after " + retryAfter.toMillis() + " ms";
        }
    }

    /**
     * Atoll itself failed; the message carries no host internals.
     *
     * @param message what failed
     */
    @SuppressWarnings("AvoidCommonTypeNames") // public API, always written Outcome.InternalError
    record InternalError(String message) implements Outcome {
        /** Rejects a null message. */
        public InternalError {
            Objects.requireNonNull(message, "message");
        }

        @Override
        public OutcomeKind kind() {
            return OutcomeKind.INTERNAL_ERROR;
        }
    }
}

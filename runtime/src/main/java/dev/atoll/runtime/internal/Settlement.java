package dev.atoll.runtime.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.jspecify.annotations.Nullable;

/**
 * How the guest side of a call ended, before the host turns it into an outcome. The first four kinds
 * cross from the guest (its bootstrap settles with a kind name and a payload, read by
 * {@link #fromGuest}); the others are the host's own.
 */
sealed interface Settlement {

    /** The tool's promise can no longer settle: nothing is pending that could settle it. */
    Settlement NEVER = new Never();
    /** A timer is due after the wall deadline. */
    Settlement DEADLINE = new Deadline();
    /** The watchdog cancelled the call while the guest was waiting; the monitor holds the violation. */
    Settlement STOPPED = new Stopped();

    /**
     * A settlement the guest's bootstrap reported. The host decides: a kind it does not know is
     * {@link Unrecognised}, never one of the host's own kinds.
     *
     * @param kind {@code ok}, {@code error}, {@code bad_output} or {@code too_large}
     * @param payload the JSON of the result or error, or the size for {@code too_large}
     * @return the settlement
     */
    static Settlement fromGuest(String kind, String payload) {
        return switch (kind) {
            case "ok" -> new Ok(payload);
            case "error" -> new Error(payload);
            case "bad_output" -> new BadOutput(payload);
            case "too_large" -> new TooLarge(payload);
            default -> new Unrecognised(kind);
        };
    }

    /**
     * The JSON of an error the host reports in a settlement, shaped as the guest bootstrap's.
     *
     * @param message the error message, or null (written as JSON {@code null})
     * @param stack its stack, or empty
     * @return {@code {"message": ..., "stack": ...}}
     */
    static String errorJson(@Nullable String message, String stack) {
        return JsonNodeFactory.instance
                .objectNode()
                .put("message", message)
                .put("stack", stack)
                .toString();
    }

    /** @param json the result as JSON */
    record Ok(String json) implements Settlement {}

    /** @param json the error as JSON ({@code message}, {@code stack}) */
    @SuppressWarnings("AvoidCommonTypeNames") // always written Settlement.Error
    record Error(String json) implements Settlement {}

    /** @param json why the result is not JSON, as an error's JSON */
    record BadOutput(String json) implements Settlement {}

    /** @param size the result's size in chars, or {@code string_limit}; checked by the host */
    record TooLarge(String size) implements Settlement {}

    /** See {@link #NEVER}. */
    record Never() implements Settlement {}

    /** See {@link #DEADLINE}. */
    record Deadline() implements Settlement {}

    /** See {@link #STOPPED}. */
    record Stopped() implements Settlement {}

    /** @param kind the kind name the guest gave, which the host does not know */
    record Unrecognised(String kind) implements Settlement {}
}

package dev.atoll.host.bindings;

import java.util.List;
import java.util.Objects;

/** What an {@link EgressInspector} decided about one request or response. */
public sealed interface InspectionVerdict {

    /** Let it pass unchanged. */
    record Allow() implements InspectionVerdict {}

    /**
     * Stop it: the guest's {@code fetch} rejects with a {@code TypeError} carrying {@code reason}, and
     * the receipt records {@code blocked}.
     *
     * @param reason a sentence for the tool author; must not contain the data that was found
     */
    record Block(String reason) implements InspectionVerdict {
        /** Rejects null. */
        public Block {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Let it pass with other headers and body (redaction). For a request the replacement goes out
     * (secret placeholders in it are still substituted for bound hosts); for a response it is what the
     * guest gets.
     *
     * @param headers the headers to use instead
     * @param body the body to use instead
     */
    record Replace(List<HttpHeader> headers, byte[] body) implements InspectionVerdict {
        /** Rejects nulls and copies the headers. */
        public Replace {
            headers = List.copyOf(headers);
            Objects.requireNonNull(body, "body");
        }
    }

    /** @return the verdict that lets everything pass */
    static InspectionVerdict allow() {
        return new Allow();
    }
}

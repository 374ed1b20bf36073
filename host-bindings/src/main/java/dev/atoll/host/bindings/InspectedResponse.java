package dev.atoll.host.bindings;

import java.util.List;
import java.util.Objects;

/**
 * A response as the {@link EgressInspector} sees it, before it reaches the guest: decompressed, within
 * the size cap, and with every secret value of the tool already replaced by its placeholder.
 *
 * @param status the HTTP status
 * @param headers the response headers (lowercase names)
 * @param body the body bytes; do not modify
 */
public record InspectedResponse(int status, List<HttpHeader> headers, byte[] body) {
    /** Rejects nulls and copies the headers. */
    public InspectedResponse {
        headers = List.copyOf(headers);
        Objects.requireNonNull(body, "body");
    }
}

package dev.atoll.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * One outbound request of a call, as its receipt records it: allowed and answered, or refused,
 * blocked, timed out or aborted. Never holds a URL path, header or body, so no secret can end up here.
 *
 * @param host the target host (lowercase; an IP literal in canonical form), or {@code ""} if the URL
 *     had none that could be read
 * @param method the request method
 * @param status the final HTTP status, 0 if no response arrived
 * @param bytesSent request body bytes sent (after secret substitution), over all redirect hops
 * @param bytesReceived response body bytes received (after decompression), over all redirect hops
 * @param elapsed from the guest's call to the end of the response or the refusal
 * @param result {@code ok} or why not: a lowercase reason such as {@code not_in_egress},
 *     {@code secret_not_bound}, {@code blocked}, {@code timeout}, {@code response_too_large},
 *     {@code aborted}, {@code failed}
 */
public record EgressRecord(
        String host, String method, int status, long bytesSent, long bytesReceived, Duration elapsed, String result) {

    /** Rejects nulls. */
    public EgressRecord {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(result, "result");
    }

    /** @return whether the request was made and answered */
    public boolean ok() {
        return result.equals("ok");
    }
}

package dev.atoll.gateway.internal.http;

import java.util.Optional;

/** Turns a presented bearer token into a principal. */
@FunctionalInterface
public interface Authenticator {

    /**
     * Authenticates a token.
     *
     * @param bearerToken the token from {@code Authorization: Bearer ...}
     * @return the principal, or empty if the token is unknown or revoked
     */
    Optional<Caller> authenticate(String bearerToken);

    /**
     * Extracts the token from an {@code Authorization} header value.
     *
     * @param header the header value
     * @return the token, if the header is a well-formed bearer credential
     */
    static Optional<String> bearer(Optional<String> header) {
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String h = header.get().trim();
        if (h.length() < 8 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String token = h.substring(7).trim();
        return token.isEmpty() || token.length() > 8192 ? Optional.empty() : Optional.of(token);
    }
}

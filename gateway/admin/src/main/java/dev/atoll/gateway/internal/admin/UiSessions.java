package dev.atoll.gateway.internal.admin;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * The web UI's signed-in sessions, kept in memory only: the cookie holds a random session id, never
 * the admin token; the token stays here and is checked again on every request (a revoked token ends
 * its sessions at once). Each session has its own CSRF token. Bounded in size and idle time.
 */
final class UiSessions {

    /** One signed-in session. */
    record Session(String id, String token, String csrf) {
        /** Whether {@code presented} is this session's CSRF token (constant time). */
        boolean csrfMatches(String presented) {
            return presented != null
                    && MessageDigest.isEqual(
                            csrf.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Cache<String, Session> sessions;

    UiSessions(Duration idle, int max) {
        this.sessions =
                Caffeine.newBuilder().expireAfterAccess(idle).maximumSize(max).build();
    }

    Session create(String token) {
        Session s = new Session(random(), token, random());
        sessions.put(s.id(), s);
        return s;
    }

    Optional<Session> find(String id) {
        return id == null || id.isEmpty() ? Optional.empty() : Optional.ofNullable(sessions.getIfPresent(id));
    }

    void end(String id) {
        sessions.invalidate(id);
    }

    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}

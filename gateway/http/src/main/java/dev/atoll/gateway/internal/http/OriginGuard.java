package dev.atoll.gateway.internal.http;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * DNS-rebinding defence: the {@code Host} header must name this server and an {@code Origin}, when
 * present, must be an allowed one. On a loopback listener, loopback names are allowed by default
 * ({@code localhost}, {@code 127.0.0.1}, {@code [::1]}, any port); other deployments list their host
 * names and origins in the configuration.
 */
public final class OriginGuard {

    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private final boolean loopbackDefaults;
    private final Set<String> hosts;
    private final Set<String> origins;

    /**
     * Creates a guard.
     *
     * @param loopbackDefaults allow loopback host names and origins (the listener binds to loopback)
     * @param hosts extra allowed host names (lowercase, without port); {@code "*"} allows any Host
     * @param origins extra allowed origins ({@code scheme://host[:port]}, lowercase)
     */
    public OriginGuard(boolean loopbackDefaults, Set<String> hosts, Set<String> origins) {
        this.loopbackDefaults = loopbackDefaults;
        this.hosts = Set.copyOf(hosts);
        this.origins = Set.copyOf(origins);
    }

    /**
     * Checks a request's headers.
     *
     * @param host the {@code Host} header
     * @param origin the {@code Origin} header
     * @return empty if allowed, else why not
     */
    public Optional<String> check(Optional<String> host, Optional<String> origin) {
        if (host.isEmpty()) {
            return Optional.of("missing Host header");
        }
        if (!hostAllowed(hostName(host.get()))) {
            return Optional.of("Host not allowed");
        }
        if (origin.isPresent() && !originAllowed(origin.get().trim().toLowerCase(Locale.ROOT))) {
            return Optional.of("Origin not allowed");
        }
        return Optional.empty();
    }

    /**
     * This guard as a Helidon filter for a whole listener (the admin listener): a request whose
     * {@code Host} or {@code Origin} is not allowed is answered 403 with a JSON error before any
     * route runs.
     *
     * @return the filter
     */
    public io.helidon.webserver.http.Filter filter() {
        return (chain, req, res) -> {
            Optional<String> why = check(
                    req.headers().first(io.helidon.http.HeaderNames.HOST),
                    req.headers().first(io.helidon.http.HeaderNames.ORIGIN));
            if (why.isEmpty()) {
                chain.proceed();
                return;
            }
            res.status(403);
            res.header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/json");
            res.send("{\"error\":{\"code\":\"forbidden\",\"message\":\"Forbidden: " + why.get() + "\"}}");
        };
    }

    private boolean hostAllowed(String name) {
        return hosts.contains("*") || hosts.contains(name) || (loopbackDefaults && LOOPBACK_NAMES.contains(name));
    }

    private boolean originAllowed(String origin) {
        if (origins.contains(origin)) {
            return true;
        }
        if (!loopbackDefaults) {
            return false;
        }
        try {
            URI u = new URI(origin);
            String scheme = u.getScheme();
            String h = u.getHost();
            return ("http".equals(scheme) || "https".equals(scheme))
                    && h != null
                    && u.getRawPath().isEmpty()
                    && u.getRawUserInfo() == null
                    && LOOPBACK_NAMES.contains(h.toLowerCase(Locale.ROOT));
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /** The host part of a Host header value, lowercase, without port; brackets kept for IPv6. */
    static String hostName(String header) {
        String h = header.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }
}

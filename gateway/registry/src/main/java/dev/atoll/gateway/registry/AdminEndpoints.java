package dev.atoll.gateway.registry;

import java.net.URI;
import java.util.Map;

/**
 * Where each node of the fleet serves its admin API, as the node itself advertised it (the
 * fleet-wide live tail connects to every live node there). Obtained from
 * {@link Registry#adminEndpoints()}.
 */
public interface AdminEndpoints {

    /** Longest admin URL accepted. */
    int MAX_URL_CHARS = 400;

    /**
     * Records (or replaces) where {@code node} serves its admin API.
     *
     * @param node the node id ({@code node.id}), 1-64 characters
     * @param adminUrl an absolute {@code http} or {@code https} URL with a host and no query, at most
     *     {@value #MAX_URL_CHARS} characters
     * @throws RegistryException {@code INVALID_ARGUMENT} for a bad node id or URL
     */
    void advertise(String node, URI adminUrl);

    /**
     * Every advertised admin URL, by node id. Rows that no longer hold a valid URL are left out.
     *
     * @return node id to admin URL
     */
    Map<String, URI> all();

    /**
     * Checks an admin URL as {@link #advertise} does.
     *
     * @param adminUrl the URL
     * @return why it is not acceptable, or empty
     */
    static java.util.Optional<String> problem(URI adminUrl) {
        String s = adminUrl.toString();
        if (s.length() > MAX_URL_CHARS) {
            return java.util.Optional.of("an admin URL has at most " + MAX_URL_CHARS + " characters");
        }
        if (!adminUrl.isAbsolute()
                || !("http".equals(adminUrl.getScheme()) || "https".equals(adminUrl.getScheme()))
                || adminUrl.getHost() == null
                || adminUrl.getRawQuery() != null
                || adminUrl.getRawFragment() != null
                || adminUrl.getRawUserInfo() != null) {
            return java.util.Optional.of("an admin URL is http(s)://host[:port][/path] without user, query or"
                    + " fragment, got '" + s + "'");
        }
        return java.util.Optional.empty();
    }
}

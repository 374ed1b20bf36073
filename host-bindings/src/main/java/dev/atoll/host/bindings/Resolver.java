package dev.atoll.host.bindings;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Resolves a host name to all its addresses, once per check. The egress policy classifies every
 * answer and pins the first, so the connection goes to an address that was checked. Tests inject a
 * fake; the {@linkplain #system() system resolver} is the default.
 */
@FunctionalInterface
public interface Resolver {

    /**
     * @param host a lowercase LDH host name, never an IP literal
     * @return every address of {@code host}; empty if it has none
     * @throws UnknownHostException if it cannot be resolved
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /**
     * The JDK's resolver, {@link InetAddress#getAllByName(String)} (subject to the JDK's address
     * cache, {@code networkaddress.cache.ttl}).
     *
     * @return the system resolver
     */
    static Resolver system() {
        return host -> List.of(InetAddress.getAllByName(host));
    }
}

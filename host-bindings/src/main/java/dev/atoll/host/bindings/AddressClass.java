package dev.atoll.host.bindings;

import dev.atoll.host.bindings.internal.AddressRanges;
import java.net.InetAddress;

/**
 * The range an IP address belongs to, for egress decisions. Only {@link #PUBLIC} is reachable by
 * default. An IPv6 address that embeds an IPv4 address (IPv4-mapped {@code ::ffff:0:0/96},
 * IPv4-compatible {@code ::/96}, IPv4-translated {@code ::ffff:0:0:0/96}, NAT64 {@code 64:ff9b::/96}
 * and {@code 64:ff9b:1::/48}, 6to4 {@code 2002::/16}, Teredo {@code 2001::/32}) takes the class of
 * the IPv4 address it embeds.
 */
public enum AddressClass {
    /** Globally reachable unicast: none of the classes below. */
    PUBLIC,
    /** {@code 0.0.0.0/8} ("this network"), {@code ::}. */
    UNSPECIFIED,
    /** {@code 127.0.0.0/8}, {@code ::1}. */
    LOOPBACK,
    /**
     * RFC 1918 ({@code 10/8}, {@code 172.16/12}, {@code 192.168/16}), unique local {@code fc00::/7},
     * deprecated site-local {@code fec0::/10}, and local-use NAT64 {@code 64:ff9b:1::/48} (unless
     * the IPv4 address in its last 32 bits has another non-public class).
     */
    PRIVATE,
    /** {@code 169.254.0.0/16}, {@code fe80::/10}. */
    LINK_LOCAL,
    /** Carrier-grade NAT shared space {@code 100.64.0.0/10}. */
    CGNAT,
    /** {@code 224.0.0.0/4}, {@code ff00::/8}. */
    MULTICAST,
    /** Limited broadcast {@code 255.255.255.255}. */
    BROADCAST,
    /** {@code 192.0.2/24}, {@code 198.51.100/24}, {@code 203.0.113/24}, {@code 2001:db8::/32},
     * {@code 3fff::/20}. */
    DOCUMENTATION,
    /** {@code 198.18.0.0/15}, {@code 2001:2::/48}. */
    BENCHMARKING,
    /** Other special-purpose or unallocated space: {@code 192.0.0/24}, {@code 192.88.99/24},
     * {@code 240/4}, {@code 100::/64}, {@code 2001::/23} outside Teredo, and IPv6 outside
     * {@code 2000::/3}. */
    RESERVED;

    /**
     * Classifies an address by its bytes; never looks anything up.
     *
     * @param address an IPv4 or IPv6 address
     * @return its class
     */
    public static AddressClass of(InetAddress address) {
        return AddressRanges.classify(address.getAddress());
    }

    /**
     * @return true for {@link #PUBLIC}
     */
    public boolean isPublic() {
        return this == PUBLIC;
    }
}

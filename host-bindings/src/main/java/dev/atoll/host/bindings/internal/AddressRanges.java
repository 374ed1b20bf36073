package dev.atoll.host.bindings.internal;

import dev.atoll.host.bindings.AddressClass;

/** Classifies raw IPv4 and IPv6 addresses into {@link AddressClass}es (IANA special-purpose registries). */
public final class AddressRanges {

    private AddressRanges() {}

    /**
     * @param a 4 or 16 address bytes
     * @return the class of the address
     */
    public static AddressClass classify(byte[] a) {
        return switch (a.length) {
            case 4 -> ipv4(u32(a, 0));
            case 16 -> ipv6(a);
            default -> throw new IllegalArgumentException("not an IP address: " + a.length + " bytes");
        };
    }

    static AddressClass ipv4(long v) {
        if (v == 0xFFFF_FFFFL) {
            return AddressClass.BROADCAST;
        }
        if (in(v, 0x00000000L, 8)) {
            return AddressClass.UNSPECIFIED;
        }
        if (in(v, 0x7F000000L, 8)) {
            return AddressClass.LOOPBACK;
        }
        if (in(v, 0x0A000000L, 8) || in(v, 0xAC100000L, 12) || in(v, 0xC0A80000L, 16)) {
            return AddressClass.PRIVATE;
        }
        if (in(v, 0xA9FE0000L, 16)) {
            return AddressClass.LINK_LOCAL;
        }
        if (in(v, 0x64400000L, 10)) {
            return AddressClass.CGNAT;
        }
        if (in(v, 0xC0000200L, 24) || in(v, 0xC6336400L, 24) || in(v, 0xCB007100L, 24)) {
            return AddressClass.DOCUMENTATION;
        }
        if (in(v, 0xC6120000L, 15)) {
            return AddressClass.BENCHMARKING;
        }
        if (in(v, 0xE0000000L, 4)) {
            return AddressClass.MULTICAST;
        }
        if (in(v, 0xC0000000L, 24) || in(v, 0xC0586300L, 24) || in(v, 0xF0000000L, 4)) {
            return AddressClass.RESERVED;
        }
        return AddressClass.PUBLIC;
    }

    private static AddressClass ipv6(byte[] a) {
        int w0 = u16(a, 0);
        int w1 = u16(a, 2);
        boolean first80Zero = true;
        for (int i = 0; i < 10; i++) {
            first80Zero &= a[i] == 0;
        }
        int w5 = u16(a, 10);
        int w4 = u16(a, 8);
        long low32 = u32(a, 12);
        if (first80Zero && w5 == 0xFFFF) {
            return ipv4(low32); // IPv4-mapped ::ffff:a.b.c.d
        }
        if (first80Zero && w5 == 0) {
            if (low32 == 0) {
                return AddressClass.UNSPECIFIED;
            }
            if (low32 == 1) {
                return AddressClass.LOOPBACK;
            }
            return ipv4(low32); // IPv4-compatible ::a.b.c.d (deprecated)
        }
        boolean first64Zero = u32(a, 0) == 0 && u32(a, 4) == 0;
        if (first64Zero && w4 == 0xFFFF && w5 == 0) {
            return ipv4(low32); // IPv4-translated ::ffff:0:a.b.c.d (RFC 2765)
        }
        if (w0 == 0x0064 && w1 == 0xFF9B && u32(a, 4) == 0 && u32(a, 8) == 0) {
            return ipv4(low32); // NAT64 well-known prefix 64:ff9b::/96
        }
        if (w0 == 0x0064 && w1 == 0xFF9B && u16(a, 4) == 0x0001) {
            // Local-use NAT64 (RFC 8215), never globally reachable: the class of the IPv4 address in
            // the last 32 bits (the /96 layout) if that is not public, PRIVATE otherwise.
            AddressClass embedded = ipv4(low32);
            return embedded.isPublic() ? AddressClass.PRIVATE : embedded;
        }
        if (w0 == 0x2002) {
            return ipv4(u32(a, 2)); // 6to4
        }
        if (w0 == 0x2001 && w1 == 0x0000) {
            // Teredo: server IPv4 in bits 32-63, client IPv4 inverted in the last 32 bits.
            AddressClass server = ipv4(u32(a, 4));
            if (!server.isPublic()) {
                return server;
            }
            return ipv4(~low32 & 0xFFFF_FFFFL);
        }
        if ((w0 == 0x2001 && w1 == 0x0DB8) || (w0 == 0x3FFF && (w1 & 0xF000) == 0)) {
            return AddressClass.DOCUMENTATION; // 2001:db8::/32, 3fff::/20
        }
        if (w0 == 0x2001 && w1 == 0x0002 && u16(a, 4) == 0) {
            return AddressClass.BENCHMARKING; // 2001:2::/48
        }
        if (w0 == 0x2001 && w1 < 0x0200) {
            return AddressClass.RESERVED; // 2001::/23 IETF protocol assignments
        }
        if ((w0 & 0xFF00) == 0xFF00) {
            return AddressClass.MULTICAST;
        }
        if ((w0 & 0xFFC0) == 0xFE80) {
            return AddressClass.LINK_LOCAL;
        }
        if ((w0 & 0xFE00) == 0xFC00 || (w0 & 0xFFC0) == 0xFEC0) {
            return AddressClass.PRIVATE; // unique local fc00::/7, site-local fec0::/10
        }
        if ((w0 & 0xE000) != 0x2000) {
            return AddressClass.RESERVED; // outside global unicast 2000::/3 (100::/64 included)
        }
        return AddressClass.PUBLIC;
    }

    private static boolean in(long v, long network, int prefix) {
        long mask = (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
        return (v & mask) == network;
    }

    private static int u16(byte[] a, int i) {
        return ((a[i] & 0xFF) << 8) | (a[i + 1] & 0xFF);
    }

    private static long u32(byte[] a, int i) {
        return ((long) u16(a, i) << 16) | u16(a, i + 2);
    }
}

package dev.atoll.host.bindings.internal;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An IPv4 or IPv6 network: an address and a prefix length. Matches addresses of its own family only
 * (an IPv4-mapped IPv6 address does not match an IPv4 network).
 *
 * @param network the network address bytes (4 or 16), host bits zero
 * @param prefix the prefix length
 */
public record Cidr(byte[] network, int prefix) {

    /**
     * Parses {@code a.b.c.d}, {@code a.b.c.d/n}, {@code ::1}, {@code [::1]}, {@code fd00::/8}.
     *
     * @param text the network
     * @return it, or empty with no reason if it does not parse; see {@link #problem}
     */
    public static Optional<Cidr> parse(String text) {
        return problem(text).isPresent() ? Optional.empty() : Optional.of(parseValid(text));
    }

    /**
     * @param text a candidate network
     * @return why it is not a valid network, or empty if it is
     */
    public static Optional<String> problem(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes = addressBytes(addr);
        if (bytes == null) {
            return Optional.of("not an IPv4 dotted quad or IPv6 address: '" + addr + "'");
        }
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = text.substring(slash + 1);
            if (p.isEmpty()
                    || p.length() > 3
                    || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(p) > max) {
                return Optional.of("prefix length must be 0 to " + max + ": '" + p + "'");
            }
            prefix = Integer.parseInt(p);
        }
        byte[] masked = mask(bytes, prefix);
        if (!Arrays.equals(masked, bytes)) {
            return Optional.of("host bits set after /" + prefix + " in '" + text + "'");
        }
        return Optional.empty();
    }

    private static Cidr parseValid(String text) {
        int slash = text.indexOf('/');
        // problem(text) found the address valid
        byte[] bytes = Objects.requireNonNull(addressBytes(slash < 0 ? text : text.substring(0, slash)), "address");
        int prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
        return new Cidr(bytes, prefix);
    }

    private static byte @Nullable [] addressBytes(String addr) {
        String a = addr.startsWith("[") && addr.endsWith("]") ? addr.substring(1, addr.length() - 1) : addr;
        if (a.indexOf(':') >= 0) {
            return IpLiteral.parseIpv6(a);
        }
        long v4 = IpLiteral.strictDottedQuad(a);
        return v4 < 0 ? null : IpLiteral.ipv4(v4).getAddress();
    }

    private static byte[] mask(byte[] bytes, int prefix) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - 8 * i));
            out[i] &= (byte) (0xFF00 >>> bits);
        }
        return out;
    }

    /**
     * @param address an address
     * @return true if it is of this network's family and inside it
     */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        return a.length == network.length && Arrays.equals(mask(a, prefix), network);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefix;
    }

    @Override
    public String toString() {
        InetAddress a = network.length == 4 ? IpLiteral.ipv4(u32(network)) : IpLiteral.ipv6(network);
        return a.getHostAddress() + "/" + prefix;
    }

    private static long u32(byte[] b) {
        return ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
    }
}

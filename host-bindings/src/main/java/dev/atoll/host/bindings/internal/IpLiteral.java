package dev.atoll.host.bindings.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a URL host is an IP literal in any notation a resolver might accept, and parses
 * it without any lookup.
 *
 * <p>IPv4 follows {@code inet_aton}, which glibc's {@code getaddrinfo} also applies to names: one to
 * four parts separated by dots, each decimal, octal (leading {@code 0}) or hexadecimal (leading
 * {@code 0x}); the last part fills the remaining bytes ({@code 127.1}, {@code 2130706433},
 * {@code 0x7f.0.0.1}, {@code 0177.0.0.1}, {@code 017700000001}); one trailing dot is accepted, as
 * WHATWG URL parsing does. IPv6 must be in brackets and follows RFC 4291 (hex groups, one {@code ::},
 * an optional dotted-quad tail); zone ids ({@code %25eth0}) are not accepted, so a bracketed host
 * with one does not parse.
 *
 * <p>A host that is not a literal but {@linkplain #endsInNumber ends in a number} must still be
 * refused by the caller: WHATWG parsers treat it as a (failed) IPv4 literal and other resolvers may
 * read it differently.
 */
public final class IpLiteral {

    private IpLiteral() {}

    /**
     * Parses {@code host} as an IP literal.
     *
     * @param host a URL host as written: a bracketed IPv6 literal or anything else
     * @return the address (an {@link Inet6Address} for every bracketed literal, IPv4-mapped ones
     *     included), or empty if {@code host} is not a literal
     */
    public static Optional<InetAddress> parse(String host) {
        if (host.isEmpty()) {
            return Optional.empty();
        }
        if (host.charAt(0) == '[') {
            if (host.length() < 3 || host.charAt(host.length() - 1) != ']') {
                return Optional.empty();
            }
            byte[] v6 = parseIpv6(host.substring(1, host.length() - 1));
            return v6 == null ? Optional.empty() : Optional.of(ipv6(v6));
        }
        long v4 = parseIpv4(host);
        return v4 < 0 ? Optional.empty() : Optional.of(ipv4(v4));
    }

    /**
     * Whether {@code host} ends in a number in the WHATWG sense: its last label (after dropping one
     * trailing dot) is all decimal digits, or {@code 0x} followed by hex digits.
     *
     * @param host a URL host
     * @return true if a WHATWG parser would take it as an IPv4 literal
     */
    public static boolean endsInNumber(String host) {
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String last = h.substring(h.lastIndexOf('.') + 1);
        if (last.isEmpty()) {
            return false;
        }
        if (allDigits(last, 10, 0)) {
            return true;
        }
        return last.length() >= 2
                && last.charAt(0) == '0'
                && (last.charAt(1) == 'x' || last.charAt(1) == 'X')
                && (last.length() == 2 || allDigits(last, 16, 2));
    }

    /**
     * Parses an IPv4 literal in {@code inet_aton} notation.
     *
     * @param s the host
     * @return the address as an unsigned 32-bit value, or -1 if {@code s} is not such a literal
     */
    static long parseIpv4(String s) {
        String h = s.length() > 1 && s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        String[] parts = h.split("\\.", -1);
        if (parts.length > 4) {
            return -1;
        }
        long result = 0;
        for (int i = 0; i < parts.length; i++) {
            long v = parseNumber(parts[i]);
            boolean last = i == parts.length - 1;
            long max = last ? (1L << (8 * (4 - i))) - 1 : 255;
            if (v < 0 || v > max) {
                return -1;
            }
            result = last ? (result << (8 * (4 - i))) | v : (result << 8) | v;
        }
        return result;
    }

    /** One inet_aton part: decimal, octal after a leading 0, hex after 0x; -1 if invalid or above 2^32. */
    private static long parseNumber(String p) {
        if (p.isEmpty()) {
            return -1;
        }
        int radix = 10;
        int start = 0;
        if (p.length() >= 2 && p.charAt(0) == '0' && (p.charAt(1) == 'x' || p.charAt(1) == 'X')) {
            radix = 16;
            start = 2;
        } else if (p.length() >= 2 && p.charAt(0) == '0') {
            radix = 8;
            start = 1;
        }
        if (start < p.length() && !allDigits(p, radix, start)) {
            return -1;
        }
        long v = 0;
        for (int i = start; i < p.length(); i++) {
            v = v * radix + Character.digit(p.charAt(i), radix);
            if (v > 0xFFFF_FFFFL) {
                return -1;
            }
        }
        return v;
    }

    private static boolean allDigits(String s, int radix, int from) {
        if (from >= s.length()) {
            return false;
        }
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0x7f || Character.digit(c, radix) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses the inside of a bracketed IPv6 literal (RFC 4291 section 2.2).
     *
     * @param s the text between the brackets
     * @return the 16 bytes, or null if {@code s} is not a valid IPv6 address (zone ids included)
     */
    static byte @Nullable [] parseIpv6(String s) {
        if (s.isEmpty() || s.length() > 45) {
            return null;
        }
        int dbl = s.indexOf("::");
        if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
            return null;
        }
        int[] head;
        int[] tail;
        if (dbl < 0) {
            head = groups(s, true);
            tail = new int[0];
            if (head == null || head.length != 8) {
                return null;
            }
        } else {
            String after = s.substring(dbl + 2);
            head = groups(s.substring(0, dbl), false);
            tail = groups(after, true);
            if (head == null || tail == null || head.length + tail.length > 7) {
                return null;
            }
        }
        byte[] out = new byte[16];
        for (int i = 0; i < head.length; i++) {
            out[2 * i] = (byte) (head[i] >>> 8);
            out[2 * i + 1] = (byte) head[i];
        }
        int off = 8 - tail.length;
        for (int i = 0; i < tail.length; i++) {
            out[2 * (off + i)] = (byte) (tail[i] >>> 8);
            out[2 * (off + i) + 1] = (byte) tail[i];
        }
        return out;
    }

    /** 16-bit groups separated by single colons; the last may be a dotted quad if allowed. */
    private static int @Nullable [] groups(String s, boolean v4Tail) {
        if (s.isEmpty()) {
            return new int[0];
        }
        String[] parts = s.split(":", -1);
        boolean quad = v4Tail && parts[parts.length - 1].indexOf('.') >= 0;
        int[] out = new int[parts.length + (quad ? 1 : 0)];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (quad && i == parts.length - 1) {
                long v4 = strictDottedQuad(p);
                if (v4 < 0) {
                    return null;
                }
                out[i] = (int) (v4 >>> 16);
                out[i + 1] = (int) (v4 & 0xFFFF);
            } else {
                if (p.isEmpty() || p.length() > 4 || !allDigits(p, 16, 0)) {
                    return null;
                }
                out[i] = Integer.parseInt(p, 16);
            }
        }
        return out;
    }

    /** Exactly four decimal parts of 1 to 3 digits, each at most 255; -1 otherwise. */
    static long strictDottedQuad(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return -1;
        }
        long v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !allDigits(p, 10, 0)) {
                return -1;
            }
            int b = Integer.parseInt(p);
            if (b > 255) {
                return -1;
            }
            v = (v << 8) | b;
        }
        return v;
    }

    /**
     * @param v an unsigned 32-bit value
     * @return it as an {@link Inet4Address}
     */
    static InetAddress ipv4(long v) {
        byte[] b = {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * @param b 16 bytes
     * @return them as an {@link Inet6Address}, even when IPv4-mapped (no lookup is made)
     */
    static InetAddress ipv6(byte[] b) {
        try {
            return Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}

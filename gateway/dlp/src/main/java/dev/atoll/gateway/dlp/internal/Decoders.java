package dev.atoll.gateway.dlp.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Decoders for one layer of encoding. Each returns the decoded text only if it is text (valid UTF-8,
 * almost all printable): binary data (images, compressed data) is not scanned further.
 */
final class Decoders {

    /** Characters of an encoded run checked before the whole run is decoded. */
    private static final int PROBE = 64;

    private Decoders() {}

    /**
     * @param s text holding a base64 run
     * @param start run start
     * @param end run end (exclusive; may include {@code =} padding)
     * @param url whether the run uses the URL-safe alphabet
     * @return the decoded text, if the run is base64 of text
     */
    static Optional<String> base64(String s, int start, int end, boolean url) {
        int e = end;
        while (e > start && s.charAt(e - 1) == '=') {
            e--;
        }
        int len = e - start;
        if (len % 4 == 1) {
            len--;
            e--;
        }
        Base64.Decoder dec = url ? Base64.getUrlDecoder() : Base64.getDecoder();
        try {
            if (len > PROBE) {
                byte[] probe = dec.decode(s.substring(start, start + PROBE));
                if (!textual(probe, probe.length)) {
                    return Optional.empty();
                }
            }
            byte[] bytes = dec.decode(s.substring(start, e));
            return text(bytes, bytes.length);
        } catch (IllegalArgumentException ex) {
            return Optional.empty();
        }
    }

    /**
     * @param s text holding a run of hex digits of even length
     * @param start run start
     * @param end run end (exclusive)
     * @return the decoded text, if the run is hex of text
     */
    static Optional<String> hex(String s, int start, int end) {
        if (((end - start) & 1) == 1) {
            end--;
        }
        int n = (end - start) / 2;
        if (n == 0) {
            return Optional.empty();
        }
        // Decode and judge in one loop, giving up at the first NUL, once too many control bytes, or at the
        // first byte that cannot be UTF-8 here: most hex runs are ids and digests, binary, and are
        // rejected within a few bytes. The final strict UTF-8 decode in text() still decides.
        byte[] bytes = new byte[n];
        int bad = 0;
        int more = 0; // continuation bytes the current UTF-8 sequence still needs
        for (int i = 0; i < n; i++) {
            int hi = hexVal(s.charAt(start + 2 * i));
            int lo = hexVal(s.charAt(start + 2 * i + 1));
            if (hi < 0 || lo < 0) {
                return Optional.empty();
            }
            int v = hi << 4 | lo;
            if (v == 0) {
                return Optional.empty();
            }
            if (((v < 0x20 && v != '\t' && v != '\n' && v != '\r') || v == 0x7f) && ++bad * 20 > n) {
                return Optional.empty();
            }
            more = utf8(more, v);
            if (more < 0) {
                return Optional.empty();
            }
            bytes[i] = (byte) v;
        }
        return more == 0 ? text(bytes, n) : Optional.empty();
    }

    /**
     * Decodes {@code %XX} sequences (not {@code +}, which base64 uses) as UTF-8.
     *
     * @param s text
     * @return the decoded text, if at least one sequence was decoded
     */
    static Optional<String> percent(String s) {
        byte[] out = new byte[s.length() * 3];
        int n = 0;
        boolean any = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && hexVal(s.charAt(i + 1)) >= 0 && hexVal(s.charAt(i + 2)) >= 0) {
                out[n++] = (byte) (hexVal(s.charAt(i + 1)) * 16 + hexVal(s.charAt(i + 2)));
                i += 2;
                any = true;
            } else if (c < 0x80) {
                out[n++] = (byte) c;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                    b = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                System.arraycopy(b, 0, out, n, b.length);
                n += b.length;
            }
        }
        if (!any) {
            return Optional.empty();
        }
        return Optional.of(new String(out, 0, n, StandardCharsets.UTF_8));
    }

    /**
     * Decodes JSON and JavaScript string escapes: <code>&#92;uXXXX</code>, <code>&#92;xXX</code>, {@code \n \r \t \b \f},
     * and an escaped quote, slash or backslash. Other backslashes are kept.
     *
     * @param s text
     * @return the decoded text, if at least one escape was decoded
     */
    static Optional<String> unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean any = false;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                out.append(c);
                i++;
                continue;
            }
            char k = s.charAt(i + 1);
            int hex = k == 'u' ? 4 : k == 'x' ? 2 : 0;
            if (hex > 0) {
                int v = i + 2 + hex <= s.length() ? hexNumber(s, i + 2, hex) : -1;
                if (v >= 0) {
                    out.append((char) v);
                    i += 2 + hex;
                    any = true;
                    continue;
                }
                out.append(c);
                i++;
                continue;
            }
            char r = switch (k) {
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                case 'b' -> '\b';
                case 'f' -> '\f';
                case '"', '\'', '/', '\\' -> k;
                default -> 0;
            };
            if (r != 0) {
                out.append(r);
                i += 2;
                any = true;
            } else {
                out.append(c);
                i++;
            }
        }
        return any ? Optional.of(out.toString()) : Optional.empty();
    }

    private static int hexNumber(String s, int from, int digits) {
        int v = 0;
        for (int i = from; i < from + digits; i++) {
            int d = hexVal(s.charAt(i));
            if (d < 0) {
                return -1;
            }
            v = v * 16 + d;
        }
        return v;
    }

    /**
     * One step of a coarse UTF-8 check: rejects only byte sequences that no UTF-8 text contains (a
     * continuation byte where none is due, a missing one, the lead bytes C0, C1 and F5 to FF).
     *
     * @param more continuation bytes still due before this byte
     * @param v the byte, 0 to 255
     * @return continuation bytes due after it, or -1 if the bytes cannot be UTF-8
     */
    static int utf8(int more, int v) {
        if (v >= 0x80 && v < 0xc0) {
            return more > 0 ? more - 1 : -1;
        }
        if (more > 0) {
            return -1;
        }
        if (v < 0x80) {
            return 0;
        }
        if (v < 0xc2) {
            return -1;
        }
        return v < 0xe0 ? 1 : v < 0xf0 ? 2 : v < 0xf5 ? 3 : -1;
    }

    static int hexVal(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static Optional<String> text(byte[] b, int n) {
        if (!textual(b, n)) {
            return Optional.empty();
        }
        boolean ascii = true;
        for (int i = 0; i < n; i++) {
            if (b[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return Optional.of(new String(b, 0, n, StandardCharsets.ISO_8859_1));
        }
        // Strict UTF-8 without exceptions (random bytes fail here often: no stack traces on the hot path).
        CharsetDecoder dec = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer out = CharBuffer.allocate(n);
        CoderResult r = dec.decode(ByteBuffer.wrap(b, 0, n), out, true);
        if (r.isError() || dec.flush(out).isError()) {
            return Optional.empty();
        }
        return Optional.of(out.flip().toString());
    }

    /**
     * Whether bytes look like text: at most 5% control bytes (tab, CR, LF excepted) and no NUL.
     * Non-ASCII bytes are allowed here (UTF-8 is checked when decoding); a probe may cut a UTF-8
     * sequence, so it only counts control bytes.
     */
    private static boolean textual(byte[] b, int n) {
        if (n == 0) {
            return false;
        }
        int bad = 0;
        for (int i = 0; i < n; i++) {
            int v = b[i] & 0xff;
            if (v == 0) {
                return false;
            }
            if ((v < 0x20 && v != '\t' && v != '\n' && v != '\r') || v == 0x7f) {
                bad++;
            }
        }
        return bad * 20 <= n;
    }
}

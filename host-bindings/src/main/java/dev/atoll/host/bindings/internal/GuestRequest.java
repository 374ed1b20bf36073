package dev.atoll.host.bindings.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.host.bindings.HttpHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Checks, on the host, every value of a request that a guest hands to {@code fetch}: the guest-side
 * checks in fetch.js and fetch.py are a convenience for tool authors only, since a tool can switch
 * them off (replace {@code RegExp.prototype.test}, call the host function directly). A value that
 * fails is refused with a message; nothing is repaired.
 */
final class GuestRequest {

    /** Methods a guest may use. CONNECT, TRACE and TRACK are not among them. */
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    /** An RFC 9110 token (method, header field name). */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");

    static final int MAX_URL_CHARS = 8192;
    static final int MAX_HEADERS = 100;
    static final int MAX_HEADER_NAME_CHARS = 256;
    static final int MAX_HEADER_VALUE_CHARS = 8192;
    static final int MAX_HEADER_CHARS = 64 * 1024;
    static final Set<String> REDIRECTS = Set.of("follow", "manual", "error");

    private GuestRequest() {}

    /** A refused value: the message is for the tool's author. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        private final String message;

        Refused(String message) {
            super(message, null, false, false);
            this.message = message;
        }

        /** Why the value was refused, for the tool's author. */
        @Override
        public String getMessage() {
            return message;
        }
    }

    /**
     * @param method the guest's method, or null if it gave none
     * @return the method, upper-cased
     * @throws Refused unless it is a token of at most 16 characters in {@link #METHODS}
     */
    static String method(@Nullable String method) throws Refused {
        if (method == null
                || method.isEmpty()
                || method.length() > 16
                || !TOKEN.matcher(method).matches()) {
            throw new Refused("fetch refused: the method is not an HTTP method token");
        }
        String upper = method.toUpperCase(Locale.ROOT);
        if (!METHODS.contains(upper)) {
            throw new Refused("fetch refused: method " + upper + " is not allowed; allowed: "
                    + METHODS.stream().sorted().toList());
        }
        return upper;
    }

    /**
     * @param method the guest's method, or null if it gave none
     * @return the method as a receipt may show it: itself if it is a short token, else empty
     */
    static String forReceipt(@Nullable String method) {
        return method != null && method.length() <= 16 && TOKEN.matcher(method).matches()
                ? method.toUpperCase(Locale.ROOT)
                : "";
    }

    /**
     * @param url the guest's URL, or null if it gave none
     * @return the URL, with characters beyond ASCII percent-encoded as UTF-8 (as a browser's fetch does)
     * @throws Refused if it is longer than {@value #MAX_URL_CHARS} characters or has a control
     *     character or a space (CR/LF would split the request line), or an unpaired surrogate
     */
    static String url(@Nullable String url) throws Refused {
        if (url == null || url.isEmpty() || url.length() > MAX_URL_CHARS) {
            throw new Refused("fetch refused: the URL must have 1-" + MAX_URL_CHARS + " characters");
        }
        StringBuilder out = null;
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
                throw new Refused("fetch refused: the URL has a control character or a space at index " + i
                        + " (percent-encode it)");
            }
            if (c < 0x80) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(url.length() + 16).append(url, 0, i);
            }
            int cp = url.codePointAt(i);
            if (Character.isSurrogate(c) && !Character.isSupplementaryCodePoint(cp)) {
                throw new Refused("fetch refused: the URL has an unpaired surrogate at index " + i);
            }
            for (byte b : new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
            i += Character.charCount(cp) - 1;
        }
        if (out != null && out.length() > MAX_URL_CHARS) {
            throw new Refused("fetch refused: the URL must have 1-" + MAX_URL_CHARS + " characters once encoded");
        }
        return out == null ? url : out.toString();
    }

    /**
     * @param pairs the guest's headers, a JSON array of [name, value] string pairs
     * @return the headers, names lower-cased
     * @throws Refused if the JSON has another shape, a name is not a token, a value has CR, LF, NUL or
     *     another control character but tab, or the sizes exceed the bounds
     */
    static List<HttpHeader> headers(JsonNode pairs) throws Refused {
        if (pairs == null || !pairs.isArray()) {
            throw new Refused("fetch refused: invalid headers");
        }
        if (pairs.size() > MAX_HEADERS) {
            throw new Refused("fetch refused: more than " + MAX_HEADERS + " headers");
        }
        List<HttpHeader> out = new ArrayList<>(pairs.size());
        long total = 0;
        for (JsonNode pair : pairs) {
            if (!pair.isArray()
                    || pair.size() != 2
                    || !pair.get(0).isTextual()
                    || !pair.get(1).isTextual()) {
                throw new Refused("fetch refused: invalid headers");
            }
            String name = pair.get(0).textValue();
            String value = pair.get(1).textValue();
            if (name.isEmpty()
                    || name.length() > MAX_HEADER_NAME_CHARS
                    || !TOKEN.matcher(name).matches()) {
                throw new Refused("fetch refused: a header name is not an HTTP token");
            }
            if (value.length() > MAX_HEADER_VALUE_CHARS) {
                throw new Refused(
                        "fetch refused: header " + name + " is longer than " + MAX_HEADER_VALUE_CHARS + " characters");
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                    throw new Refused("fetch refused: the value of header " + name
                            + " has a control character (CR, LF, NUL...) or a character above U+00FF");
                }
            }
            total += name.length() + value.length();
            if (total > MAX_HEADER_CHARS) {
                throw new Refused("fetch refused: the headers are larger than " + MAX_HEADER_CHARS + " characters");
            }
            out.add(new HttpHeader(name.toLowerCase(Locale.ROOT), value.strip()));
        }
        return out;
    }

    /**
     * @param redirect the guest's redirect mode
     * @return the mode
     * @throws Refused unless {@code follow}, {@code manual} or {@code error}
     */
    static String redirect(String redirect) throws Refused {
        if (!REDIRECTS.contains(redirect)) {
            throw new Refused("fetch refused: redirect must be follow, manual or error");
        }
        return redirect;
    }

    /**
     * @param timeoutMs the guest's timeout
     * @return the timeout in ms, 0 for none
     * @throws Refused if negative, not finite or 1e9 or more (as fetch.js checks)
     */
    static long timeout(double timeoutMs) throws Refused {
        if (!(timeoutMs >= 0 && timeoutMs < 1e9)) {
            throw new Refused("fetch refused: timeout must be a number of milliseconds in [0, 1e9)");
        }
        return (long) timeoutMs;
    }

    /**
     * @param body a binary body as the guest encodes it: one char per byte
     * @return the bytes
     * @throws Refused if a char is above U+00FF (not a byte)
     */
    static byte[] latin1(String body) throws Refused {
        byte[] out = new byte[body.length()];
        for (int i = 0; i < out.length; i++) {
            char c = body.charAt(i);
            if (c > 0xff) {
                throw new Refused("fetch refused: a binary body must hold bytes (chars U+0000-U+00FF)");
            }
            out[i] = (byte) c;
        }
        return out;
    }
}

package dev.atoll.gateway.dlp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.dlp.Validator;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

/** The validators of {@link Validator}: checks a candidate value must pass to count as a match. */
public final class Checks {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final Set<String> PLACEHOLDERS = Set.of(
            "changeme",
            "password",
            "passwd",
            "secret",
            "example",
            "placeholder",
            "redacted",
            "null",
            "undefined",
            "none",
            "your-password",
            "yourpassword",
            "your_password",
            "mypassword",
            "token",
            "your-token",
            "your_token",
            "your-api-key",
            "your_api_key");
    /** A member access chain or call such as {@code this.password}, {@code e.target.value} or {@code getPass()}. */
    private static final com.google.re2j.Pattern CODE_REFERENCE = com.google.re2j.Pattern.compile(
            "[A-Za-z_$][\\w$]*(?:\\.[A-Za-z_$][\\w$]*)+(?:\\(\\))?|[A-Za-z_$][\\w$]*\\(\\)");
    /** An environment-variable-like name ({@code GITHUB_ACCESS_TOKEN}), e.g. after {@code atoll-secret:}. */
    private static final com.google.re2j.Pattern ENV_NAME =
            com.google.re2j.Pattern.compile("[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+");
    /** IBAN length per country (ISO 13616 registry). */
    private static final Map<String, Integer> IBAN_LENGTHS = new HashMap<>();

    static {
        String table =
                "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28"
                        + " EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27"
                        + " JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18"
                        + " NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28"
                        + " TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30";
        for (String e : table.split(" ")) {
            IBAN_LENGTHS.put(e.substring(0, 2), Integer.parseInt(e.substring(2)));
        }
    }

    private Checks() {}

    /**
     * @param v the validator
     * @param value the candidate (normalised, decoded)
     * @return whether it passes
     */
    public static boolean test(Validator v, String value) {
        return switch (v) {
            case Validator.Luhn l -> luhn(value);
            case Validator.IbanMod97 i -> iban(value);
            case Validator.Entropy e -> entropy(value) >= e.minBitsPerChar();
            case Validator.Crc32Base62 c -> crc32Base62(value);
            case Validator.UsSsn s -> usSsn(value);
            case Validator.Jwt j -> jwt(value);
            case Validator.NotPlaceholder p -> !placeholder(value);
        };
    }

    static boolean luhn(String value) {
        int sum = 0;
        int digits = 0;
        for (int i = value.length() - 1; i >= 0; i--) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                continue;
            }
            int d = c - '0';
            if ((digits & 1) == 1) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            digits++;
        }
        return digits >= 13 && digits <= 19 && sum % 10 == 0;
    }

    static boolean iban(String value) {
        StringBuilder s = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != ' ') {
                s.append(Character.toUpperCase(c));
            }
        }
        if (s.length() < 15) {
            return false;
        }
        Integer len = IBAN_LENGTHS.get(s.substring(0, 2));
        if (len == null || len != s.length()) {
            return false;
        }
        String r = s.substring(4) + s.substring(0, 4);
        int mod = 0;
        for (int i = 0; i < r.length(); i++) {
            char c = r.charAt(i);
            if (c >= '0' && c <= '9') {
                mod = (mod * 10 + (c - '0')) % 97;
            } else if (c >= 'A' && c <= 'Z') {
                mod = (mod * 100 + (c - 'A' + 10)) % 97;
            } else {
                return false;
            }
        }
        return mod == 1;
    }

    /**
     * @param value a string
     * @return Shannon entropy of its characters, in bits per character
     */
    public static double entropy(String value) {
        if (value.isEmpty()) {
            return 0;
        }
        Map<Character, Integer> counts = new HashMap<>();
        for (int i = 0; i < value.length(); i++) {
            counts.merge(value.charAt(i), 1, Integer::sum);
        }
        double h = 0;
        double n = value.length();
        for (int c : counts.values()) {
            double p = c / n;
            h -= p * (Math.log(p) / Math.log(2));
        }
        return h;
    }

    static boolean crc32Base62(String value) {
        int us = value.lastIndexOf('_');
        String body = value.substring(us + 1);
        if (body.length() < 7) {
            return false;
        }
        String random = body.substring(0, body.length() - 6);
        CRC32 crc = new CRC32();
        crc.update(random.getBytes(StandardCharsets.US_ASCII));
        return base62(crc.getValue(), 6).equals(body.substring(body.length() - 6));
    }

    /**
     * @param n a non-negative number
     * @param width the least number of digits (zero-padded)
     * @return n in base 62 ({@code 0-9A-Za-z})
     */
    public static String base62(long n, int width) {
        StringBuilder s = new StringBuilder();
        do {
            s.append(BASE62.charAt((int) (n % 62)));
            n /= 62;
        } while (n > 0);
        while (s.length() < width) {
            s.append('0');
        }
        return s.reverse().toString();
    }

    static boolean usSsn(String value) {
        StringBuilder d = new StringBuilder(9);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= '0' && c <= '9') {
                d.append(c);
            }
        }
        if (d.length() != 9) {
            return false;
        }
        int area = Integer.parseInt(d.substring(0, 3));
        int group = Integer.parseInt(d.substring(3, 5));
        int serial = Integer.parseInt(d.substring(5));
        return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
    }

    static boolean jwt(String value) {
        int dot = value.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        try {
            byte[] header = Base64.getUrlDecoder().decode(value.substring(0, dot));
            JsonNode h = JSON.readTree(header);
            return h != null && h.isObject() && h.path("alg").isTextual();
        } catch (RuntimeException | java.io.IOException e) {
            return false;
        }
    }

    static boolean placeholder(String value) {
        String v = value.trim();
        if (v.isEmpty() || v.contains("[REDACTED")) {
            return true;
        }
        String lower = v.toLowerCase(Locale.ROOT);
        if (PLACEHOLDERS.contains(lower)) {
            return true;
        }
        if ((v.startsWith("${") && v.endsWith("}"))
                || (v.startsWith("{{") && v.endsWith("}}"))
                || (v.startsWith("<") && v.endsWith(">"))
                || (v.startsWith("%") && v.endsWith("%"))
                || v.startsWith("$(")
                || v.equals("%s")) {
            return true;
        }
        if (v.length() > 1
                && v.charAt(0) == '$'
                && v.substring(1).chars().allMatch(c -> c == '_' || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
            return true;
        }
        if (ENV_NAME.matcher(v).matches() || v.startsWith("atoll-secret:")) {
            return true; // a variable name or a bound-secret placeholder, not a value
        }
        if (CODE_REFERENCE.matcher(v).matches()) {
            return true;
        }
        char first = lower.charAt(0);
        return lower.chars().allMatch(c -> c == first);
    }
}

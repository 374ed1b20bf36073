package dev.atoll.gateway.dlp;

/**
 * A check a regex match must also pass before it counts, written in a rule pack as
 * {@code {"type": "luhn"}} or {@code {"type": "entropy", "min": 3.5}}.
 */
public sealed interface Validator {

    /** The name used in rule packs ({@code "type"}). */
    String type();

    /** Payment card numbers: the Luhn mod-10 checksum over the digits (13 to 19 of them). */
    record Luhn() implements Validator {
        @Override
        public String type() {
            return "luhn";
        }
    }

    /** IBANs: the country's length and the ISO 13616 mod-97 check (remainder 1). */
    record IbanMod97() implements Validator {
        @Override
        public String type() {
            return "iban";
        }
    }

    /**
     * Randomness: the Shannon entropy of the value's characters must be at least {@code minBitsPerChar}.
     *
     * @param minBitsPerChar bits per character, 0 to 8 (English words are about 2.5 to 3, random base64 5 to 6)
     */
    record Entropy(double minBitsPerChar) implements Validator {
        /** Rejects a threshold outside 0..8. */
        public Entropy {
            if (!(minBitsPerChar >= 0 && minBitsPerChar <= 8)) {
                throw new IllegalArgumentException(
                        "entropy min must be within 0..8 bits per char, got " + minBitsPerChar);
            }
        }

        @Override
        public String type() {
            return "entropy";
        }
    }

    /**
     * GitHub and npm tokens ({@code ghp_…}, {@code npm_…}): the last six characters are the base62
     * CRC32 of the characters between the prefix's {@code _} and them.
     */
    record Crc32Base62() implements Validator {
        @Override
        public String type() {
            return "crc32-base62";
        }
    }

    /** US social security numbers: area not 000, 666 or 9xx, group not 00, serial not 0000. */
    record UsSsn() implements Validator {
        @Override
        public String type() {
            return "us-ssn";
        }
    }

    /** JSON web tokens: the first segment is base64url of a JSON object with an {@code alg} member. */
    record Jwt() implements Validator {
        @Override
        public String type() {
            return "jwt";
        }
    }

    /**
     * Not a placeholder: rejects values such as {@code ${DB_PASSWORD}}, {@code {{token}}},
     * {@code <password>}, {@code ****}, {@code xxxxxxxx}, {@code changeme}, {@code %s}, code
     * references such as {@code this.password} or {@code e.target.value}, variable names such as
     * {@code DB_PASSWORD}, and Atoll's bound-secret placeholders ({@code atoll-secret:NAME}).
     */
    record NotPlaceholder() implements Validator {
        @Override
        public String type() {
            return "not-placeholder";
        }
    }
}

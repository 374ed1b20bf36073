package dev.atoll.gateway.dlp.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Keyed hash prefixes of matched values: HMAC-SHA-256 under the engine's key, first 6 bytes in hex.
 * Keyed, so that a low-entropy value (a US SSN, a phone number) cannot be recovered from an audit
 * record by hashing every candidate. Not thread-safe: one per scan.
 */
final class ValueHasher {

    private final SecretKeySpec key;
    /** Created at the first hash. */
    private @Nullable Mac mac;

    ValueHasher(byte[] key) {
        this.key = new SecretKeySpec(key, "HmacSHA256");
    }

    String hash(String value) {
        try {
            if (mac == null) {
                mac = Mac.getInstance("HmacSHA256");
                mac.init(key);
            }
            byte[] h = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 6);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}

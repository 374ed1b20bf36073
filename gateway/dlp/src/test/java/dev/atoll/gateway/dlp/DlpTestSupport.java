package dev.atoll.gateway.dlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;

/** Fake secrets (obviously example values that still match the rules) and helpers for the DLP tests. */
final class DlpTestSupport {

    static final ObjectMapper JSON = new ObjectMapper();
    /** AWS's documented example access key id. */
    static final String AWS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
    /** AWS's documented example secret access key. */
    static final String AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    /** A GitHub classic PAT with a valid checksum over an obviously fake random part. */
    static final String GITHUB_PAT = githubToken("ghp_", "EXAMPLEexampleEXAMPLEexample00");

    static final String STRIPE_KEY = "sk_live_EXAMPLEexampleEXAMPLE0123";
    static final String EMAIL = "alice.example@example.com";
    static final String CARD = "4111 1111 1111 1111";

    private DlpTestSupport() {}

    static String githubToken(String prefix, String random) {
        CRC32 crc = new CRC32();
        crc.update(random.getBytes(StandardCharsets.US_ASCII));
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        long n = crc.getValue();
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            s.append(alphabet.charAt((int) (n % 62)));
            n /= 62;
        }
        return prefix + random + s.reverse();
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String resource(String name) {
        try (InputStream in = DlpTestSupport.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> ruleIds(Detection d) {
        return d.matches().stream().map(Match::ruleId).toList();
    }

    static ScanContext ctx(Direction d) {
        return ScanContext.of("tenant-a", "example_tool", d);
    }
}

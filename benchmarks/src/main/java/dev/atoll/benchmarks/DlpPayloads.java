package dev.atoll.benchmarks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.UUID;

/**
 * Deterministic tool-call payloads for the DLP benchmarks: a JSON result of issue-tracker-like records
 * (ids, UUIDs, prose, URLs, commit SHAs, timestamps, numbers, tags). {@code dirty} payloads also hold
 * one sensitive value (fake, from a rotating set of secrets and PII) about every 2 KB.
 */
final class DlpPayloads {

    static final ObjectMapper JSON = new ObjectMapper();

    private static final String[] WORDS =
            ("the of and to in is for on with that this as it be are by from at or an was "
                            + "have not but can will all their which one more when there about would been they has other into some time "
                            + "request response service deploy build release issue error retry cache query index table column user "
                            + "account order invoice customer report dashboard metric latency throughput cluster node region replica "
                            + "backup restore migration schema config session tokens usage limit quota billing payment shipping review "
                            + "comment label milestone branch merge commit pipeline test failure success pending running stopped "
                            + "timeout network gateway proxy upstream downstream client server browser mobile desktop api endpoint "
                            + "version update change fix feature improvement documentation example summary description title status")
                    .split(" ");

    private static final String[] DIRTY = {
        "contact alice.example@example.com for access",
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
        "card 4111 1111 1111 1111 exp 12/30",
        "call (201) 555-0123 after 5pm",
        "DATABASE_URL=postgres://app:Example-Passw0rd@db.example.com:5432/app",
        "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJleGFtcGxlIn0.EXAMPLEsignatureEXAMPLEsignature00",
        "token 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 in the log",
        "stripe sk_live_EXAMPLEexampleEXAMPLE0123 leaked",
        "IBAN DE89 3704 0044 0532 0130 00",
        "password: Tr0ub4dor&3xK9!q",
    };

    private DlpPayloads() {}

    /**
     * @param size target size of the serialised payload in bytes (the result is within one record of it)
     * @param dirty whether to sprinkle sensitive values
     * @return the payload
     */
    static JsonNode payload(int size, boolean dirty) {
        Random r = new Random(size * 31L + (dirty ? 1 : 0));
        ObjectNode root = JSON.createObjectNode();
        ArrayNode items = root.putArray("items");
        root.put("nextPageToken", token(r, 48));
        int bytes = 40;
        int sinceDirty = 2048; // the first record is dirty, so that even 1 KB dirty payloads hold one value
        int n = 0;
        while (bytes < size) {
            ObjectNode it = items.addObject();
            it.put("id", new UUID(r.nextLong(), r.nextLong()).toString());
            it.put("number", 1000 + n);
            it.put("title", sentence(r, 4 + r.nextInt(6)));
            StringBuilder body = new StringBuilder();
            int sentences = 2 + r.nextInt(6);
            for (int i = 0; i < sentences; i++) {
                body.append(sentence(r, 6 + r.nextInt(14))).append(". ");
            }
            sinceDirty += 400;
            if (dirty && sinceDirty >= 2048) {
                body.append(DIRTY[n % DIRTY.length]).append(". ");
                sinceDirty = 0;
            }
            it.put("body", body.toString());
            it.put("url", "https://tracker.example.com/projects/atoll/issues/" + (1000 + n) + "?tab=activity");
            it.put("commit", hex(r, 40));
            it.put("created_at", "2026-11-" + (10 + r.nextInt(18)) + "T0" + r.nextInt(10) + ":15:30Z");
            it.put("updated_ms", 1_762_000_000_000L + r.nextInt(1_000_000_000));
            ArrayNode tags = it.putArray("labels");
            tags.add(WORDS[r.nextInt(WORDS.length)]);
            tags.add("p" + r.nextInt(4));
            it.put("score", r.nextDouble());
            bytes += bytes(it) + 1;
            n++;
        }
        return root;
    }

    /**
     * @param node a payload
     * @return its UTF-8 JSON text
     */
    static String text(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static int bytes(JsonNode node) {
        return text(node).getBytes(StandardCharsets.UTF_8).length;
    }

    private static String sentence(Random r, int words) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < words; i++) {
            String w = WORDS[r.nextInt(WORDS.length)];
            if (i == 0) {
                w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
            }
            if (i > 0) {
                s.append(' ');
            }
            s.append(w);
            if (r.nextInt(25) == 0) {
                s.append(' ').append(r.nextInt(10_000));
            }
        }
        return s.toString();
    }

    private static String hex(Random r, int n) {
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append("0123456789abcdef".charAt(r.nextInt(16)));
        }
        return s.toString();
    }

    private static String token(Random r, int n) {
        String a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(a.charAt(r.nextInt(a.length())));
        }
        return s.toString();
    }
}

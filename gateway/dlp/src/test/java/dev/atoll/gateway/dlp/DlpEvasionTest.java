package dev.atoll.gateway.dlp;

import static dev.atoll.gateway.dlp.DlpTestSupport.AWS_KEY_ID;
import static dev.atoll.gateway.dlp.DlpTestSupport.GITHUB_PAT;
import static dev.atoll.gateway.dlp.DlpTestSupport.STRIPE_KEY;
import static dev.atoll.gateway.dlp.DlpTestSupport.ctx;
import static dev.atoll.gateway.dlp.DlpTestSupport.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Encodings and Unicode tricks that must not hide a secret from the inbound scan. */
@SuppressWarnings("unchecked") // assertInstanceOf returns the raw record type of a generic verdict
class DlpEvasionTest {

    private static final DlpEngine ENGINE = DlpEngine.create();

    private static DlpResult<JsonNode> inbound(String value) {
        ObjectNode args = JsonNodeFactory.instance.objectNode();
        args.put("input", value);
        return ENGINE.scan(args, ctx(Direction.INBOUND));
    }

    private static void assertBlocked(String value, String ruleId, List<Encoding> encodings) {
        DlpResult<JsonNode> r = inbound(value);
        Verdict.Block<JsonNode> b = assertInstanceOf(Verdict.Block.class, r.verdict(), "not blocked: " + r.findings());
        assertTrue(b.ruleIds().contains(ruleId), b.ruleIds().toString());
        assertTrue(
                r.findings().stream()
                        .anyMatch(f -> f.match().ruleId().equals(ruleId)
                                && f.match().encodings().equals(encodings)),
                "expected " + ruleId + " through " + encodings + ", got " + r.findings());
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void base64() {
        assertBlocked("payload " + b64("aws key " + AWS_KEY_ID), "aws-access-key-id", List.of(Encoding.BASE64));
    }

    @Test
    void base64UrlSafe() {
        String enc = Base64.getUrlEncoder().withoutPadding().encodeToString(("k=" + STRIPE_KEY + "??>>").getBytes());
        assertTrue(enc.contains("-") || enc.contains("_"), enc);
        assertBlocked(enc, "stripe-secret-key", List.of(Encoding.BASE64URL));
    }

    @Test
    void hex() {
        assertBlocked(
                HexFormat.of().formatHex(("token " + GITHUB_PAT).getBytes()),
                "github-pat-classic",
                List.of(Encoding.HEX));
    }

    @Test
    void urlEncoding() {
        // Percent-encode every character of the key so that nothing readable is left.
        StringBuilder all = new StringBuilder("q=");
        for (byte b : AWS_KEY_ID.getBytes(StandardCharsets.US_ASCII)) {
            all.append('%').append(String.format("%02X", b));
        }
        assertBlocked(all.toString(), "aws-access-key-id", List.of(Encoding.PERCENT));
        // A form-encoded value (URLEncoder) in a query string: the key's own characters stay as they
        // are, but "%22sk_live_" has no word boundary before the key, so only the decoded layer matches.
        String form =
                "a=1&cfg=" + URLEncoder.encode("{\"key\": \"" + STRIPE_KEY + "\"}", StandardCharsets.UTF_8) + "&b=2";
        assertBlocked(form, "stripe-secret-key", List.of(Encoding.PERCENT));
    }

    @Test
    void doubleEncodingBase64OfUrlEncoded() {
        StringBuilder pct = new StringBuilder();
        for (byte b : GITHUB_PAT.getBytes()) {
            pct.append('%').append(String.format("%02x", b));
        }
        assertBlocked(b64("token=" + pct), "github-pat-classic", List.of(Encoding.BASE64, Encoding.PERCENT));
    }

    @Test
    void doubleEncodingBase64OfBase64() {
        assertBlocked(b64(b64("secret " + STRIPE_KEY)), "stripe-secret-key", List.of(Encoding.BASE64, Encoding.BASE64));
    }

    @Test
    void zeroWidthCharactersInsideAToken() {
        String split = AWS_KEY_ID.substring(0, 4) + "\u200B" + AWS_KEY_ID.substring(4, 10) + "\u200D\u2060"
                + AWS_KEY_ID.substring(10) + "\uFEFF";
        DlpResult<JsonNode> r = inbound("key " + split);
        assertTrue(r.blocked());
        Match m = r.findings().getFirst().match();
        assertEquals(List.of(), m.encodings());
        // The span covers the token in the original string, zero-width characters included.
        assertEquals(4, m.start());
        assertEquals(4 + split.length() - 1, m.end(), "the trailing U+FEFF is outside the match");
    }

    @Test
    void bidiControlsInsideAToken() {
        assertBlocked(
                STRIPE_KEY.substring(0, 8) + "\u202E\u2066" + STRIPE_KEY.substring(8), "stripe-secret-key", List.of());
    }

    @Test
    void fullwidthCharacters() {
        StringBuilder fw = new StringBuilder();
        for (char c : AWS_KEY_ID.toCharArray()) {
            fw.append((char) (c - 0x21 + 0xFF01));
        }
        DlpResult<JsonNode> r = inbound("ｋｅｙ: " + fw);
        assertTrue(r.blocked(), r.findings().toString());
        DlpResult<JsonNode> out = ENGINE.scan(json("{\"t\":\"key " + fw + " end\"}"), ctx(Direction.OUTBOUND));
        assertEquals(
                "key [REDACTED:aws-access-key-id] end",
                assertInstanceOf(Verdict.Redact.class, out.verdict())
                        .value()
                        .toString()
                        .replaceAll(".*\"t\":\"|\"}", ""));
    }

    @Test
    void jsonUnicodeEscapesInsideAString() {
        // The string value contains backslash-u escapes as text (e.g. JSON that was escaped twice).
        StringBuilder esc = new StringBuilder("{\\\"k\\\":\\\"");
        for (char c : GITHUB_PAT.toCharArray()) {
            esc.append(String.format("\\u%04x", (int) c));
        }
        esc.append("\\\"}");
        assertBlocked(esc.toString(), "github-pat-classic", List.of(Encoding.ESCAPE));
    }

    @Test
    void escapedJsonInsideAStringIsParsedByTheEscapeLayer() {
        String inner = "{\\\"password\\\": \\\"Tr0ub4dor&3xK9!q\\\"}";
        assertBlocked(inner, "generic-password-assignment", List.of(Encoding.ESCAPE));
    }
}

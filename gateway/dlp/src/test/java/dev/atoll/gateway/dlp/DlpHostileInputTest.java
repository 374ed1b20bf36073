package dev.atoll.gateway.dlp;

import static dev.atoll.gateway.dlp.DlpTestSupport.ctx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Inputs built to make a scanner slow or crash. Each must end with a sound result; the timeouts are
 * hang guards (orders of magnitude above the expected time), not performance assertions, which live in
 * the JMH benchmarks.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DlpHostileInputTest {

    private static final DlpEngine ENGINE = DlpEngine.create();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    @Test
    void deepNestingStopsAtTheDepthLimitWithoutOverflowingTheStack() {
        JsonNode n = F.textNode(DlpTestSupport.AWS_KEY_ID);
        for (int i = 0; i < 100_000; i++) {
            ArrayNode a = F.arrayNode();
            a.add(n);
            n = a;
        }
        DlpResult<JsonNode> r = ENGINE.scan(n, ctx(Direction.OUTBOUND));
        assertEquals(Optional.of(Limit.JSON_DEPTH), r.incomplete());
        assertTrue(r.blocked());
    }

    @Test
    void aHugeStringIsScannedToTheEnd() {
        String huge = "a".repeat(20 << 20) + " " + DlpTestSupport.STRIPE_KEY;
        DlpResult<String> r = ENGINE.scanText(huge, ctx(Direction.INBOUND));
        assertTrue(r.blocked());
        assertEquals(Optional.empty(), r.incomplete());
    }

    @Test
    void beyondTheScanLimitTheScanStopsAndSaysSo() {
        DlpEngine small = DlpEngine.builder()
                .limits(ScanLimits.defaults().withMaxScanChars(1 << 20))
                .build();
        ArrayNode a = F.arrayNode();
        for (int i = 0; i < 3; i++) {
            a.add("x".repeat(600_000));
        }
        DlpResult<JsonNode> r = small.scan(a, ctx(Direction.OUTBOUND));
        assertEquals(Optional.of(Limit.SCAN_SIZE), r.incomplete());
        assertTrue(r.blocked());
    }

    @Test
    void pathologicalRegexInputsStayLinear() {
        String[] inputs = {
            "password=" + "a".repeat(2_000_000),
            "@".repeat(1_000_000),
            "a@".repeat(500_000),
            "a.".repeat(500_000) + "@",
            "-----BEGIN RSA PRIVATE KEY-----" + "A".repeat(2_000_000),
            "aws ".repeat(500_000),
            "postgres://:".repeat(200_000),
            "eyJ".repeat(500_000),
            "1-".repeat(1_000_000),
            "4111 ".repeat(400_000),
            "secret=".repeat(300_000),
        };
        for (String s : inputs) {
            DlpResult<String> r = ENGINE.scanText(s, ctx(Direction.INBOUND));
            assertTrue(r.findings().size() <= ENGINE.limits().maxFindings());
        }
    }

    @Test
    void manyKeywordHitsInOneObjectStayBounded() {
        ObjectNode o = F.objectNode();
        for (int i = 0; i < 50_000; i++) {
            o.put("token_" + i, "secret password api_key sk_live_ ghp_ AKIA eyJ " + i);
        }
        DlpResult<JsonNode> r = ENGINE.scan(o, ctx(Direction.OUTBOUND));
        assertEquals(Optional.empty(), r.incomplete());
    }

    @Test
    void nestedEncodingsStopAtTheDecodeDepthAndAreReported() {
        String s = "key " + DlpTestSupport.STRIPE_KEY;
        for (int i = 0; i < 6; i++) {
            s = Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
        }
        DlpResult<String> r = ENGINE.scanText(s, ctx(Direction.INBOUND));
        assertEquals(Optional.of(Limit.DECODE_DEPTH), r.incomplete());
        assertTrue(r.blocked(), "an incomplete scan is blocked by default");
    }

    @Test
    void aDecodeBombIsCutByTheDecodeBudget() {
        // Many distinct base64 runs of text: each decodes, the total is bounded by max-decoded-chars.
        String block = Base64.getEncoder()
                .encodeToString("just some harmless text here".repeat(40).getBytes());
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            s.append(block).append(' ');
        }
        DlpEngine small = DlpEngine.builder()
                .limits(ScanLimits.defaults().withMaxDecodedChars(100_000))
                .build();
        DlpResult<String> r = small.scanText(s.toString(), ctx(Direction.OUTBOUND));
        assertEquals(Optional.of(Limit.DECODE_BUDGET), r.incomplete());
        assertFalse(ENGINE.scanText(s.toString(), ctx(Direction.OUTBOUND))
                .incomplete()
                .isPresent());
    }

    @Test
    void binaryBase64IsNotScannedAsText() {
        byte[] bin = new byte[300_000];
        new java.util.Random(7).nextBytes(bin);
        String s = Base64.getEncoder().encodeToString(bin);
        DlpResult<String> r = ENGINE.scanText(s, ctx(Direction.INBOUND));
        assertEquals(Optional.empty(), r.incomplete());
        assertFalse(r.blocked());
    }
}

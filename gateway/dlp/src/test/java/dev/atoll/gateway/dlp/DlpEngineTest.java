package dev.atoll.gateway.dlp;

import static dev.atoll.gateway.dlp.DlpTestSupport.AWS_KEY_ID;
import static dev.atoll.gateway.dlp.DlpTestSupport.CARD;
import static dev.atoll.gateway.dlp.DlpTestSupport.EMAIL;
import static dev.atoll.gateway.dlp.DlpTestSupport.GITHUB_PAT;
import static dev.atoll.gateway.dlp.DlpTestSupport.STRIPE_KEY;
import static dev.atoll.gateway.dlp.DlpTestSupport.ctx;
import static dev.atoll.gateway.dlp.DlpTestSupport.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

@SuppressWarnings("unchecked") // assertInstanceOf returns the raw record type of a generic verdict
class DlpEngineTest {

    private static final DlpEngine ENGINE = DlpEngine.create();

    @Test
    void aKeyInArgumentsIsBlockedWithANonLeakingMessage() {
        JsonNode args = json("{\"config\":{\"aws\":\"" + AWS_KEY_ID + "\"},\"note\":\"hi\"}");
        DlpResult<JsonNode> r = ENGINE.scan(args, ctx(Direction.INBOUND));
        Verdict.Block<JsonNode> b = assertInstanceOf(Verdict.Block.class, r.verdict());
        assertEquals(List.of("aws-access-key-id"), b.ruleIds());
        assertTrue(
                b.message().contains("aws-access-key-id") && b.message().contains("tool-call arguments"), b.message());
        assertFalse(b.message().contains(AWS_KEY_ID));
        Match m = r.findings().getFirst().match();
        assertEquals("/config/aws", m.pointer());
        assertEquals(Part.VALUE, m.part());
        assertEquals(0, m.start());
        assertEquals(AWS_KEY_ID.length(), m.end());
        assertEquals(12, m.valueHash().length());
        assertEquals(Action.BLOCK, r.findings().getFirst().action());
        DlpBlockedException e = assertThrows(DlpBlockedException.class, () -> r.payloadOr(args));
        assertEquals(List.of("aws-access-key-id"), e.ruleIds());
        assertFalse(e.getMessage().contains(AWS_KEY_ID));
    }

    @Test
    void nothingThatDescribesAMatchContainsTheValue() {
        String text = "key " + GITHUB_PAT + " mail " + EMAIL + " card " + CARD;
        DlpResult<String> r = ENGINE.scanText(text, ctx(Direction.OUTBOUND));
        assertEquals(3, r.findings().size(), r.findings().toString());
        String described = r.toString() + r.findings() + r.verdict();
        for (String secret : List.of(GITHUB_PAT, EMAIL, CARD, "4111111111111111", "EXAMPLEexampleEXAMPLE")) {
            assertFalse(described.contains(secret), "leaked " + secret + " in " + described);
        }
    }

    @Test
    void anEmailInAResultIsRedactedAndTheJsonStaysValid() throws Exception {
        JsonNode result = json("{\"content\":[{\"type\":\"text\",\"text\":\"Write to " + EMAIL
                + " or \\\"bob@example.org\\\".\"}]," + "\"count\":2}");
        DlpResult<JsonNode> r = ENGINE.scan(result, ctx(Direction.OUTBOUND));
        Verdict.Redact<JsonNode> x = assertInstanceOf(Verdict.Redact.class, r.verdict());
        assertEquals(
                "Write to [REDACTED:email-address] or \"[REDACTED:email-address]\".",
                x.value().at("/content/0/text").textValue());
        assertEquals(2, x.value().get("count").intValue());
        assertEquals(x.value(), DlpTestSupport.JSON.readTree(DlpTestSupport.JSON.writeValueAsString(x.value())));
        assertTrue(result.at("/content/0/text").textValue().contains(EMAIL), "the original must not change");
        assertEquals(
                List.of("/content/0/text", "/content/0/text"),
                r.findings().stream().map(f -> f.match().pointer()).toList());
        assertFalse(r.verdict().toString().contains("REDACTED:email-address]."), "Redact.toString prints no payload");
    }

    @Test
    void secretsAreRedactedOutboundAndSpansAreExact() {
        String text = "token=" + STRIPE_KEY + "; done";
        DlpResult<String> r = ENGINE.scanText(text, ctx(Direction.OUTBOUND));
        Verdict.Redact<String> x = assertInstanceOf(Verdict.Redact.class, r.verdict());
        assertEquals("token=[REDACTED:stripe-secret-key]; done", x.value());
        Match m = r.findings().getFirst().match();
        assertEquals("stripe-secret-key", m.ruleId());
        assertEquals(text.indexOf(STRIPE_KEY), m.start());
        assertEquals(text.indexOf(STRIPE_KEY) + STRIPE_KEY.length(), m.end());
        assertEquals(Part.TEXT, m.part());
        assertEquals("", m.pointer());
    }

    @Test
    void aMatchFoundOnlyInADecodedLayerRedactsTheWholeValue() {
        String encoded = Base64.getEncoder().encodeToString(("config: " + GITHUB_PAT).getBytes());
        JsonNode result = json("{\"blob\":\"" + encoded + "\",\"other\":\"fine\"}");
        DlpResult<JsonNode> r = ENGINE.scan(result, ctx(Direction.OUTBOUND));
        Verdict.Redact<JsonNode> x = assertInstanceOf(Verdict.Redact.class, r.verdict());
        assertEquals("[REDACTED:github-pat-classic]", x.value().get("blob").textValue());
        assertEquals("fine", x.value().get("other").textValue());
        Match m = r.findings().getFirst().match();
        assertEquals(List.of(Encoding.BASE64), m.encodings());
        assertEquals(0, m.start());
        assertEquals(encoded.length(), m.end());
    }

    @Test
    void aSecretMemberNameIsRenamedAndNeverAppearsInPointers() {
        JsonNode result = json("{\"" + GITHUB_PAT + "\":{\"mail\":\"" + EMAIL + "\"},\"b\":1}");
        DlpResult<JsonNode> r = ENGINE.scan(result, ctx(Direction.OUTBOUND));
        Verdict.Redact<JsonNode> x = assertInstanceOf(Verdict.Redact.class, r.verdict());
        assertEquals(
                json("{\"[REDACTED:github-pat-classic]\":{\"mail\":\"[REDACTED:email-address]\"},\"b\":1}"), x.value());
        assertEquals(Part.KEY, r.findings().get(0).match().part());
        assertEquals("", r.findings().get(0).match().pointer());
        assertEquals(
                "/[REDACTED:github-pat-classic]/mail",
                r.findings().get(1).match().pointer());
        assertFalse(r.findings().toString().contains(GITHUB_PAT));
    }

    @Test
    void memberNamesSelectValuesForKeyRules() {
        Detection d =
                ENGINE.detect(json("{\"db\":{\"password\":\"Tr0ub4dor&3xK9!q\"},\"password_hint\":\"first pet\"}"));
        assertEquals(List.of("generic-password-field"), DlpTestSupport.ruleIds(d));
        assertEquals("/db/password", d.matches().getFirst().pointer());
    }

    @Test
    void repeatedMemberNamesAreJudgedAtEveryLocation() {
        // A name is scanned once per payload when it matched nothing; what it selects, and names that
        // match themselves, must still count at every record.
        Detection d = ENGINE.detect(json("[{\"password\":\"Tr0ub4dor&3xK9!q\",\"id\":1,\"" + EMAIL + "\":2},"
                + "{\"password\":\"c0rrect-Horse-b4ttery\",\"id\":2,\"" + EMAIL + "\":3},"
                + "{\"password\":\"\",\"id\":3}]"));
        assertEquals(
                List.of("/0/password", "/0", "/1/password", "/1"), // a member name is reported at its object
                d.matches().stream().map(Match::pointer).toList());
        assertEquals(
                List.of("generic-password-field", "email-address", "generic-password-field", "email-address"),
                DlpTestSupport.ruleIds(d));
    }

    @Test
    void aGenericRuleGivesWayToASpecificRuleOnTheSameSpan() {
        Detection d = ENGINE.detect(json("{\"github_token\":\"" + GITHUB_PAT + "\"}"));
        assertEquals(List.of("github-pat-classic"), DlpTestSupport.ruleIds(d));
    }

    @Test
    void defaultsBlockSecretsInEgressAndOnlyLogPiiThere() {
        for (Direction d : List.of(Direction.EGRESS_REQUEST, Direction.EGRESS_RESPONSE)) {
            assertTrue(
                    ENGINE.scanText("Authorization: token " + GITHUB_PAT, ctx(d))
                            .blocked(),
                    d.toString());
            DlpResult<String> pii = ENGINE.scanText("to=" + EMAIL, ctx(d));
            assertInstanceOf(Verdict.Allow.class, pii.verdict());
            assertEquals(Action.LOG, pii.findings().getFirst().action());
        }
        DlpResult<String> inboundPii = ENGINE.scanText("send to " + EMAIL, ctx(Direction.INBOUND));
        assertInstanceOf(Verdict.Allow.class, inboundPii.verdict());
        assertEquals(1, inboundPii.findings().size());
    }

    @Test
    void overridesSelectByTenantToolDirectionRuleAndSeverity() {
        DlpPolicy policy = DlpPolicy.builder()
                .override(PolicyRule.builder(Action.LOG)
                        .tenant("trusted")
                        .tool("deploy")
                        .rules("github-pat-classic")
                        .build())
                .override(PolicyRule.builder(Action.BLOCK)
                        .directions(Direction.OUTBOUND)
                        .categories(Category.PII)
                        .minSeverity(Severity.HIGH)
                        .build())
                .defaultAction(Direction.INBOUND, Category.PII, Action.REDACT)
                .build();
        DlpEngine engine = DlpEngine.builder().policy(policy).build();
        String pat = "use " + GITHUB_PAT;
        assertInstanceOf(
                Verdict.Allow.class,
                engine.scanText(pat, ScanContext.of("trusted", "deploy", Direction.INBOUND))
                        .verdict());
        assertTrue(engine.scanText(pat, ScanContext.of("trusted", "other", Direction.INBOUND))
                .blocked());
        assertTrue(engine.scanText(pat, ScanContext.of("someone", "deploy", Direction.INBOUND))
                .blocked());
        // A card (HIGH) outbound is blocked by the second override; an e-mail (LOW) is still redacted.
        assertTrue(engine.scanText("card " + CARD, ctx(Direction.OUTBOUND)).blocked());
        assertInstanceOf(
                Verdict.Redact.class,
                engine.scanText("mail " + EMAIL, ctx(Direction.OUTBOUND)).verdict());
        assertInstanceOf(
                Verdict.Redact.class,
                engine.scanText("mail " + EMAIL, ctx(Direction.INBOUND)).verdict());
    }

    @Test
    void operatorsDisableRulesAndAddTheirOwnPack() {
        RulePack ops = RulePack.parse("""
                {"version": 1, "rules": [{
                  "id": "acme-internal-token", "description": "ACME internal service token", "category": "secret",
                  "severity": "high", "keywords": ["acme_"], "pattern": "\\\\b(acme_[a-z0-9]{24})\\\\b", "group": 1,
                  "examples": {"positive": ["acme_0123456789abcdef01234567"], "negative": ["acme_short"]}}]}
                """, "acme.json");
        DlpEngine engine = DlpEngine.builder()
                .addRules(ops)
                .disableRules(List.of("email-address"))
                .build();
        assertEquals(
                List.of("acme-internal-token"),
                DlpTestSupport.ruleIds(engine.detectText("t=acme_0123456789abcdef01234567 " + EMAIL)));
        assertTrue(engine.rules().stream().noneMatch(r -> r.id().equals("email-address")));
        DlpException unknown = assertThrows(
                DlpException.class,
                () -> DlpEngine.builder().disableRules(List.of("no-such-rule")).build());
        assertTrue(unknown.getMessage().contains("no-such-rule"));
        DlpException dup = assertThrows(
                DlpException.class,
                () -> DlpEngine.builder().addRules(ops).addRules(ops).build());
        assertTrue(dup.getMessage().contains("acme-internal-token"));
        DlpException override = assertThrows(
                DlpException.class,
                () -> DlpEngine.builder()
                        .policy(DlpPolicy.builder()
                                .override(PolicyRule.builder(Action.LOG)
                                        .rules("nope")
                                        .build())
                                .build())
                        .build());
        assertTrue(override.getMessage().contains("nope"));
    }

    @Test
    void anIncompleteScanIsBlockedByDefaultAndCanBeLogged() {
        JsonNode deep = json("[[[[[[\"x\"]]]]]]");
        DlpEngine shallow = DlpEngine.builder()
                .limits(ScanLimits.defaults().withMaxJsonDepth(3))
                .build();
        DlpResult<JsonNode> r = shallow.scan(deep, ctx(Direction.OUTBOUND));
        assertEquals(Optional.of(Limit.JSON_DEPTH), r.incomplete());
        Verdict.Block<JsonNode> b = assertInstanceOf(Verdict.Block.class, r.verdict());
        assertTrue(b.message().contains("max-json-depth"), b.message());
        DlpEngine lenient = DlpEngine.builder()
                .limits(ScanLimits.defaults().withMaxJsonDepth(3))
                .policy(DlpPolicy.builder().onIncomplete(Action.LOG).build())
                .build();
        assertInstanceOf(
                Verdict.Allow.class, lenient.scan(deep, ctx(Direction.OUTBOUND)).verdict());
        assertEquals(
                Optional.empty(), ENGINE.scan(deep, ctx(Direction.OUTBOUND)).incomplete());
    }

    @Test
    void findingsBeyondTheLimitAreCountedAndStillRedacted() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            s.append("user").append(i).append("@example.com ");
        }
        DlpEngine engine = DlpEngine.builder()
                .limits(ScanLimits.defaults().withMaxFindings(2))
                .build();
        DlpResult<String> r = engine.scanText(s.toString(), ctx(Direction.OUTBOUND));
        assertEquals(2, r.findings().size());
        assertEquals(3, r.droppedFindings());
        Verdict.Redact<String> x = assertInstanceOf(Verdict.Redact.class, r.verdict());
        assertFalse(x.value().contains("@example.com"), x.value());
    }

    @Test
    void hashesCorrelateUnderOneKeyAndDifferAcrossKeys() {
        byte[] k1 = "0123456789abcdef0123456789abcdef".getBytes();
        byte[] k2 = "fedcba9876543210fedcba9876543210".getBytes();
        DlpEngine a = DlpEngine.builder().hashKey(k1).build();
        DlpEngine b = DlpEngine.builder().hashKey(k1).build();
        DlpEngine c = DlpEngine.builder().hashKey(k2).build();
        String h1 = a.detectText("x " + EMAIL).matches().getFirst().valueHash();
        assertEquals(h1, b.detectText("y " + EMAIL + " z").matches().getFirst().valueHash());
        assertNotEquals(h1, c.detectText("x " + EMAIL).matches().getFirst().valueHash());
        assertNotEquals(
                h1, a.detectText("x bob@example.com").matches().getFirst().valueHash());
        assertThrows(IllegalArgumentException.class, () -> DlpEngine.builder().hashKey(new byte[8]));
    }

    @Test
    void integralNumbersAreScannedAsText() {
        DlpResult<JsonNode> r = ENGINE.scan(json("{\"card\":4111111111111111,\"n\":42}"), ctx(Direction.OUTBOUND));
        Verdict.Redact<JsonNode> x = assertInstanceOf(Verdict.Redact.class, r.verdict());
        assertEquals("[REDACTED:payment-card-number]", x.value().get("card").textValue());
        assertEquals(42, x.value().get("n").intValue());
    }

    @Test
    void aRootStringAndArraysAreRedactedInPlace() {
        DlpResult<JsonNode> root = ENGINE.scan(json("\"mail " + EMAIL + "\""), ctx(Direction.OUTBOUND));
        assertEquals(
                "mail [REDACTED:email-address]",
                assertInstanceOf(Verdict.Redact.class, root.verdict())
                        .value()
                        .toString()
                        .replace("\"", ""));
        DlpResult<JsonNode> arr = ENGINE.scan(json("[\"ok\", \"" + EMAIL + "\"]"), ctx(Direction.OUTBOUND));
        assertEquals(json("[\"ok\",\"[REDACTED:email-address]\"]"), ((Verdict.Redact<JsonNode>) arr.verdict()).value());
        assertEquals("/1", arr.findings().getFirst().match().pointer());
    }

    @Test
    void nonAsciiTextAroundMatchesKeepsSpansInOriginalCoordinates() {
        String text = "Zahlung über 4111\u00e9 und Karte 4111 1111 1111 1111 é, café " + EMAIL + " 東京";
        Detection d = ENGINE.detectText(text);
        assertEquals(List.of("payment-card-number", "email-address"), DlpTestSupport.ruleIds(d));
        Match card = d.matches().getFirst();
        assertEquals(CARD, text.substring(card.start(), card.end()));
        Match mail = d.matches().get(1);
        assertEquals(EMAIL, text.substring(mail.start(), mail.end()));
    }

    @Test
    void matchesLongerThanTheirWindowAreFoundWhole() {
        // A JWT and a PEM key longer than the rules' windows: the window grows when a match touches its edge.
        String longJwt = "eyJhbGciOiJIUzI1NiJ9.eyJ" + "A".repeat(3000) + "." + "s".repeat(400);
        String pem = "-----BEGIN RSA PRIVATE KEY-----\n" + "MIIEXAMPLE\n".repeat(700) + "-----END RSA PRIVATE KEY-----";
        String text = "a " + longJwt + " b " + pem + " c";
        DlpResult<String> r = ENGINE.scanText(text, ctx(Direction.OUTBOUND));
        assertEquals(
                "a [REDACTED:jwt] b [REDACTED:private-key-rsa] c",
                assertInstanceOf(Verdict.Redact.class, r.verdict()).value());
    }

    @Test
    void pointersEscapeSlashAndTilde() {
        Detection d = ENGINE.detect(json("{\"a/b\":{\"c~d\":\"" + EMAIL + "\"}}"));
        assertEquals("/a~1b/c~0d", d.matches().getFirst().pointer());
    }

    @Test
    void builderAndRecordsFailFastNamingTheValue() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> ScanLimits.defaults().withMaxDecodeDepth(9));
        assertTrue(e.getMessage().contains("max-decode-depth") && e.getMessage().contains("9"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> DlpPolicy.builder().onIncomplete(Action.REDACT));
        assertTrue(e.getMessage().contains("redact"));
        e = assertThrows(IllegalArgumentException.class, () -> ScanContext.of(" ", "t", Direction.INBOUND));
        assertTrue(e.getMessage().contains("tenant"));
        e = assertThrows(
                IllegalArgumentException.class,
                () -> PolicyRule.builder(Action.LOG).tool(""));
        assertTrue(e.getMessage().contains("tool"));
        assertEquals(Set.of(), PolicyRule.builder(Action.LOG).build().ruleIds());
    }
}

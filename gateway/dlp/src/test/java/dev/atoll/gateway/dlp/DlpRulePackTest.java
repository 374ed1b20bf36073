package dev.atoll.gateway.dlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule of the built-in pack against its own positive and negative examples, scanned by the
 * engine with the whole pack (so that keyword triggers, windows and overlaps are exercised as in
 * production). A rule without examples of both kinds fails.
 */
class DlpRulePackTest {

    private static final DlpEngine ENGINE = DlpEngine.create();

    static Stream<Rule> rules() {
        return RulePack.builtIn().rules().stream();
    }

    private static Set<String> ruleIdsFound(JsonNode example) {
        Detection d = example.isTextual() ? ENGINE.detectText(example.textValue()) : ENGINE.detect(example);
        return d.matches().stream().map(Match::ruleId).collect(Collectors.toSet());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void positiveExamplesMatch(Rule rule) {
        assertFalse(rule.examples().positive().isEmpty(), rule.id() + " has no positive example");
        for (JsonNode ex : rule.examples().positive()) {
            assertTrue(ruleIdsFound(ex).contains(rule.id()), rule.id() + " did not match its positive example " + ex);
        }
    }

    /** Text full of keyword fragments in front of the example (partial prefixes, failure links) does not hide it. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void positiveExamplesMatchAfterKeywordFragments(Rule rule) {
        String[] prefixes = {
            "pa ",
            "passw ",
            "-- ----- ",
            "gh gh_ ",
            "aki akia ",
            ":/ ",
            "hooks.slack.co ",
            "sk_ sk- ",
            "eyJ ey ",
            "xox xo ",
            "@ ",
            "key key= ",
            "https:/ http:"
        };
        for (JsonNode ex : rule.examples().positive()) {
            if (!ex.isTextual()) {
                continue;
            }
            for (String prefix : prefixes) {
                String text = prefix + ex.textValue();
                assertTrue(
                        ruleIdsFound(new com.fasterxml.jackson.databind.node.TextNode(text))
                                .contains(rule.id()),
                        rule.id() + " did not match its positive example after '" + prefix + "': " + text);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void negativeExamplesDoNotMatch(Rule rule) {
        assertFalse(rule.examples().negative().isEmpty(), rule.id() + " has no negative example");
        for (JsonNode ex : rule.examples().negative()) {
            assertFalse(ruleIdsFound(ex).contains(rule.id()), rule.id() + " matched its negative example " + ex);
        }
    }

    @Test
    void packCoversTheRequiredSecretAndPiiTypes() {
        List<Rule> rules = RulePack.builtIn().rules();
        long secrets =
                rules.stream().filter(r -> r.category() == Category.SECRET).count();
        assertTrue(secrets >= 40, "only " + secrets + " secret rules");
        Set<String> ids = rules.stream().map(Rule::id).collect(Collectors.toSet());
        for (String id : List.of(
                "aws-access-key-id",
                "aws-secret-access-key",
                "gcp-service-account-key",
                "gcp-api-key",
                "azure-storage-account-key",
                "github-pat-classic",
                "github-fine-grained-pat",
                "github-oauth-token",
                "github-app-token",
                "gitlab-pat",
                "slack-bot-token",
                "slack-user-token",
                "slack-webhook-url",
                "stripe-secret-key",
                "stripe-restricted-key",
                "openai-api-key",
                "anthropic-api-key",
                "npm-token",
                "pypi-token",
                "sendgrid-api-key",
                "twilio-api-key",
                "mailgun-api-key",
                "shopify-access-token",
                "discord-bot-token",
                "telegram-bot-token",
                "datadog-api-key",
                "vault-service-token",
                "digitalocean-token",
                "heroku-api-key",
                "square-access-token",
                "jwt",
                "private-key-rsa",
                "private-key-ec",
                "private-key-openssh",
                "private-key-pgp",
                "postgres-url-password",
                "mysql-url-password",
                "mongodb-url-password",
                "redis-url-password",
                "amqp-url-password",
                "url-basic-auth",
                "generic-password-assignment",
                "generic-api-key-assignment",
                "generic-password-field",
                "generic-api-key-field",
                "email-address",
                "phone-number",
                "payment-card-number",
                "iban",
                "us-ssn")) {
            assertTrue(ids.contains(id), "missing rule " + id);
        }
    }

    @Test
    void rulesWithoutKeywordsAreOnlyDigitOrInvisibleRules() {
        // A rule with neither keywords nor a digit trigger runs its regex over every string: too slow.
        for (Rule r : RulePack.builtIn().rules()) {
            assertTrue(!r.keywords().isEmpty() || r.digits() > 0 || r.invisible(), r.id() + " has no trigger");
        }
    }

    @Test
    void invalidPacksFailNamingTheRuleAndMember() {
        DlpException e = assertThrows(
                DlpException.class,
                () -> RulePack.parse(
                        "{\"rules\":[{\"id\":\"x\",\"description\":\"d\",\"category\":\"secret\",\"severity\":\"high\","
                                + "\"keywords\":[\"k\"],\"pattern\":\"a(b\"}]}",
                        "ops.json"));
        assertTrue(
                e.getMessage().contains("ops.json")
                        && e.getMessage().contains("x")
                        && e.getMessage().contains("pattern"),
                e.getMessage());
        e = assertThrows(
                DlpException.class,
                () -> RulePack.parse(
                        "{\"rules\":[{\"id\":\"x\",\"description\":\"d\",\"category\":\"secret\",\"severity\":\"high\","
                                + "\"keywords\":[\"k\"],\"pattern\":\"k\",\"windw\":5}]}",
                        "ops.json"));
        assertTrue(e.getMessage().contains("windw"), e.getMessage());
        e = assertThrows(
                DlpException.class,
                () -> RulePack.parse(
                        "{\"rules\":[{\"id\":\"x\",\"description\":\"d\",\"category\":\"secret\",\"severity\":\"high\","
                                + "\"keywords\":[\"K\"],\"pattern\":\"k\"}]}",
                        "ops.json"));
        assertTrue(e.getMessage().contains("'K'"), e.getMessage());
        e = assertThrows(
                DlpException.class,
                () -> RulePack.parse(
                        "{\"rules\":[{\"id\":\"x\",\"description\":\"d\",\"category\":\"secret\",\"severity\":\"urgent\","
                                + "\"keywords\":[\"k\"],\"pattern\":\"k\"}]}",
                        "ops.json"));
        assertTrue(e.getMessage().contains("URGENT"), e.getMessage());
        e = assertThrows(
                DlpException.class,
                () -> RulePack.parse(
                        "{\"rules\":[{\"id\":\"x\",\"description\":\"d\",\"category\":\"secret\",\"severity\":\"high\","
                                + "\"keywords\":[\"k\"],\"pattern\":\"(k)\",\"group\":2}]}",
                        "ops.json"));
        assertTrue(e.getMessage().contains("group"), e.getMessage());
        e = assertThrows(
                DlpException.class,
                () -> RulePack.parse(
                        "{\"rules\":[{\"id\":\"x\",\"description\":\"d\",\"category\":\"secret\",\"severity\":\"high\","
                                + "\"keywords\":[\"k\"],\"pattern\":\"k\",\"validators\":[{\"type\":\"crc64\"}]}]}",
                        "ops.json"));
        assertTrue(e.getMessage().contains("crc64"), e.getMessage());
    }

    @Test
    void builtInPackParsesToTheSameRulesTwice() {
        assertEquals(
                RulePack.builtIn().rules().size(), RulePack.builtIn().rules().size());
        assertEquals(ENGINE.rules().size(), RulePack.builtIn().rules().size());
    }
}

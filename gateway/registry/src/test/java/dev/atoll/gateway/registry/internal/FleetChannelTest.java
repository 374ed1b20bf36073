package dev.atoll.gateway.registry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atoll.gateway.registry.ReviewChange;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Notification payloads come from the database: the host reads only what it understands, and an
 * unreadable revocation errs on the safe side (drop every cached token).
 */
class FleetChannelTest {

    @Test
    void readsWhatItSends() {
        assertEquals(
                Optional.of(new FleetChannel.CatalogueMoved(42)),
                FleetChannel.parse("{\"kind\":\"catalogue\",\"revision\":42}"));
        assertEquals(
                Optional.of(new FleetChannel.TokenRevoked("tok_0123456789abcdef")),
                FleetChannel.parse("{\"kind\":\"token-revoke\",\"id\":\"tok_0123456789abcdef\"}"));
        assertEquals(
                Optional.of(new FleetChannel.TokenCreated("tok_0123456789abcdef")),
                FleetChannel.parse("{\"kind\":\"token-create\",\"id\":\"tok_0123456789abcdef\"}"));
        assertEquals(Optional.of(new FleetChannel.TokensChanged()), FleetChannel.parse("{\"kind\":\"tokens\"}"));
        String origin = "0123456789abcdef0123456789abcdef";
        assertEquals(
                Optional.of(
                        new FleetChannel.Reviewed(new ReviewChange(ReviewChange.Kind.DEPLOYED, "my_tool", 3), origin)),
                FleetChannel.parse("{\"kind\":\"review\",\"change\":\"deployed\",\"tool\":\"my_tool\","
                        + "\"version\":3,\"origin\":\"" + origin + "\"}"));
        assertEquals(
                Optional.of(new FleetChannel.Reviewed(new ReviewChange(ReviewChange.Kind.REJECTED, "t", 1), origin)),
                FleetChannel.parse("{\"kind\":\"review\",\"change\":\"rejected\",\"tool\":\"t\","
                        + "\"version\":1,\"origin\":\"" + origin + "\"}"));
    }

    @Test
    void aReviewNotificationIsReadOnlyWhenEveryFieldIsValid() {
        String ok = "\"origin\":\"0123456789abcdef0123456789abcdef\"";
        for (String bad : new String[] {
            "{\"kind\":\"review\",\"change\":\"approved\",\"tool\":\"t\",\"version\":1," + ok + "}",
            "{\"kind\":\"review\",\"change\":\"deployed\",\"tool\":\"../etc\",\"version\":1," + ok + "}",
            "{\"kind\":\"review\",\"change\":\"deployed\",\"tool\":\"t\",\"version\":0," + ok + "}",
            "{\"kind\":\"review\",\"change\":\"deployed\",\"tool\":\"t\",\"version\":\"1\"," + ok + "}",
            "{\"kind\":\"review\",\"change\":\"deployed\",\"tool\":\"t\",\"version\":1.5," + ok + "}",
            "{\"kind\":\"review\",\"change\":\"deployed\",\"tool\":\"t\",\"version\":99999999999," + ok + "}",
            "{\"kind\":\"review\",\"change\":\"deployed\",\"tool\":\"t\",\"version\":1,\"origin\":\"x\"}",
            "{\"kind\":\"review\",\"change\":\"deployed\",\"tool\":\"t\",\"version\":1}"
        }) {
            assertEquals(Optional.empty(), FleetChannel.parse(bad), bad);
        }
    }

    @Test
    void ignoresWhatItDoesNotUnderstand() {
        for (String bad : new String[] {
            null,
            "",
            "not json",
            "[]",
            "{}",
            "{\"kind\":\"other\"}",
            "{\"kind\":\"catalogue\"}",
            "{\"kind\":\"catalogue\",\"revision\":-1}",
            "{\"kind\":\"catalogue\",\"revision\":\"x\"}",
            "{\"kind\":\"token-create\",\"id\":\"../x\"}",
            "{\"kind\":\"tokens\",\"pad\":\"" + "x".repeat(2000) + "\"}"
        }) {
            assertEquals(Optional.empty(), FleetChannel.parse(bad), String.valueOf(bad));
        }
    }

    @Test
    void anUnreadableRevocationDropsEveryCachedToken() {
        assertEquals(
                Optional.of(new FleetChannel.TokensChanged()),
                FleetChannel.parse("{\"kind\":\"token-revoke\",\"id\":\"tok_NOT-AN-ID\"}"));
        assertEquals(Optional.of(new FleetChannel.TokensChanged()), FleetChannel.parse("{\"kind\":\"token-revoke\"}"));
    }
}

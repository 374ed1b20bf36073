package dev.atoll.gateway.registry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Notification payloads come from the database: the host reads only what it understands, and an
 * unreadable revocation errs on the safe side (drop every cached token).
 */
class FleetChannelTest {

    @Test
    void readsWhatItSends() {
        assertEquals(Optional.of(new FleetChannel.CatalogueMoved(42)),
                FleetChannel.parse("{\"kind\":\"catalogue\",\"revision\":42}"));
        assertEquals(Optional.of(new FleetChannel.TokenRevoked("tok_0123456789abcdef")),
                FleetChannel.parse("{\"kind\":\"token-revoke\",\"id\":\"tok_0123456789abcdef\"}"));
        assertEquals(Optional.of(new FleetChannel.TokenCreated("tok_0123456789abcdef")),
                FleetChannel.parse("{\"kind\":\"token-create\",\"id\":\"tok_0123456789abcdef\"}"));
        assertEquals(Optional.of(new FleetChannel.TokensChanged()), FleetChannel.parse("{\"kind\":\"tokens\"}"));
    }

    @Test
    void ignoresWhatItDoesNotUnderstand() {
        for (String bad : new String[] {null, "", "not json", "[]", "{}", "{\"kind\":\"other\"}",
                "{\"kind\":\"catalogue\"}", "{\"kind\":\"catalogue\",\"revision\":-1}",
                "{\"kind\":\"catalogue\",\"revision\":\"x\"}", "{\"kind\":\"token-create\",\"id\":\"../x\"}",
                "{\"kind\":\"tokens\",\"pad\":\"" + "x".repeat(2000) + "\"}"}) {
            assertEquals(Optional.empty(), FleetChannel.parse(bad), String.valueOf(bad));
        }
    }

    @Test
    void anUnreadableRevocationDropsEveryCachedToken() {
        assertEquals(Optional.of(new FleetChannel.TokensChanged()),
                FleetChannel.parse("{\"kind\":\"token-revoke\",\"id\":\"tok_NOT-AN-ID\"}"));
        assertEquals(Optional.of(new FleetChannel.TokensChanged()), FleetChannel.parse("{\"kind\":\"token-revoke\"}"));
    }
}

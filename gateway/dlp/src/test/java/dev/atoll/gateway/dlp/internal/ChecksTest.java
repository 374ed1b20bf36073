package dev.atoll.gateway.dlp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class ChecksTest {

    @Test
    void luhn() {
        assertTrue(Checks.luhn("4111 1111 1111 1111"));
        assertTrue(Checks.luhn("378282246310005"));
        assertFalse(Checks.luhn("4111 1111 1111 1112"));
        assertFalse(Checks.luhn("0000 0000 0000"), "too few digits");
    }

    @Test
    void iban() {
        assertTrue(Checks.iban("DE89 3704 0044 0532 0130 00"));
        assertTrue(Checks.iban("GB82WEST12345698765432"));
        assertFalse(Checks.iban("DE89 3704 0044 0532 0130 01"), "checksum");
        assertFalse(Checks.iban("DE89 3704 0044 0532 0130"), "length for DE");
        assertFalse(Checks.iban("ZZ89 3704 0044 0532 0130 00"), "unknown country");
    }

    @Test
    void usSsn() {
        assertTrue(Checks.usSsn("123-45-6789"));
        for (String bad :
                new String[] {"000-12-3456", "666-12-3456", "900-12-3456", "123-00-4567", "123-45-0000", "123-45-678"
                }) {
            assertFalse(Checks.usSsn(bad), bad);
        }
    }

    @Test
    void crc32Base62ChecksTheLastSixCharacters() {
        String random = "EXAMPLEexampleEXAMPLEexample00";
        CRC32 crc = new CRC32();
        crc.update(random.getBytes(StandardCharsets.US_ASCII));
        String token = "ghp_" + random + Checks.base62(crc.getValue(), 6);
        assertEquals(40, token.length());
        assertTrue(Checks.crc32Base62(token));
        assertFalse(Checks.crc32Base62(token.substring(0, 39) + (token.endsWith("A") ? "B" : "A")));
        assertEquals("000001", Checks.base62(1, 6));
        assertEquals("10", Checks.base62(62, 1));
    }

    @Test
    void entropy() {
        assertEquals(0.0, Checks.entropy("aaaa"));
        assertEquals(2.0, Checks.entropy("abcd"), 1e-9);
        assertTrue(Checks.entropy("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") > 4.5);
    }

    @Test
    void jwtNeedsAJsonHeaderWithAlg() {
        String h = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes());
        assertTrue(Checks.jwt(h + ".eyJzdWIiOiJ4In0.sig"));
        String noAlg = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"typ\":\"JWT\"}".getBytes());
        assertFalse(Checks.jwt(noAlg + ".eyJzdWIiOiJ4In0.sig"));
        assertFalse(Checks.jwt("eyJnotbase64!!.x.y"));
    }

    @Test
    void placeholders() {
        for (String p : new String[] {
            "${DB_PASSWORD}",
            "{{ token }}",
            "<password>",
            "********",
            "xxxxxxxx",
            "changeme",
            "%s",
            "$SECRET_KEY",
            "e.target.value",
            "this.password",
            "getPassword()",
            "[REDACTED:x]",
            "GITHUB_ACCESS_TOKEN",
            "atoll-secret:API_KEY"
        }) {
            assertTrue(Checks.placeholder(p), p);
        }
        for (String real : new String[] {"Tr0ub4dor&3xK9!q", "Example-Passw0rd", "hunter2hunter2"}) {
            assertFalse(Checks.placeholder(real), real);
        }
    }
}

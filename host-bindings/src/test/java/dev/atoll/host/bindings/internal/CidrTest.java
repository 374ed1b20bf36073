package dev.atoll.host.bindings.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

    private static InetAddress ip(String literal) {
        return IpLiteral.parse(literal).orElseThrow();
    }

    @Test
    void matchesInsideOnly() {
        Cidr c = Cidr.parse("10.0.0.0/8").orElseThrow();
        assertTrue(c.contains(ip("10.0.0.0")));
        assertTrue(c.contains(ip("10.255.255.255")));
        assertFalse(c.contains(ip("11.0.0.0")));
        assertFalse(c.contains(ip("9.255.255.255")));
    }

    @Test
    void singleAddress() {
        Cidr c = Cidr.parse("127.0.0.1").orElseThrow();
        assertEquals(32, c.prefix());
        assertTrue(c.contains(ip("127.0.0.1")));
        assertFalse(c.contains(ip("127.0.0.2")));
        assertEquals("127.0.0.1/32", c.toString());
    }

    @Test
    void familiesDoNotMix() {
        Cidr v4 = Cidr.parse("127.0.0.0/8").orElseThrow();
        assertFalse(v4.contains(ip("[::ffff:127.0.0.1]")));
        Cidr v6 = Cidr.parse("fd00::/8").orElseThrow();
        assertTrue(v6.contains(ip("[fd12::1]")));
        assertFalse(v6.contains(ip("[fe80::1]")));
        assertTrue(Cidr.parse("[::1]").orElseThrow().contains(ip("[::1]")));
        assertTrue(Cidr.parse("0.0.0.0/0").orElseThrow().contains(ip("8.8.8.8")));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "10.0.0.1/8",
                "10.0.0.0/33",
                "10.0.0.0/",
                "10.0.0.0/x",
                "127.1",
                "0x7f000001",
                "localhost",
                "fd00::1/8",
                "::/129",
                "fe80::1%25eth0",
                "",
                "10.0.0.0/-1"
            })
    void problems(String text) {
        assertTrue(Cidr.problem(text).isPresent(), text);
        assertTrue(Cidr.parse(text).isEmpty(), text);
    }
}

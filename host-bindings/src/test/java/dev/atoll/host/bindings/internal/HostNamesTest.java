package dev.atoll.host.bindings.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostNamesTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "example.com",
                "a",
                "api.example.com",
                "xn--bcher-kva.example",
                "a-b.c-d",
                "1e100.net",
                "123.example"
            })
    void accepts(String name) {
        assertTrue(HostNames.isLdh(name), name);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "Example.com",
                "a..b",
                ".a",
                "a.",
                "-a.com",
                "a-.com",
                "a_b.com",
                "a b",
                "a%2eb",
                "b\u00fccher.example",
                "\uff45xample.com",
                "a:80",
                "[::1]",
                "a/b",
                "a@b"
            })
    void rejects(String name) {
        assertFalse(HostNames.isLdh(name), name);
    }

    @org.junit.jupiter.api.Test
    void lengthLimits() {
        assertTrue(HostNames.isLdh("a".repeat(63) + ".com"));
        assertFalse(HostNames.isLdh("a".repeat(64) + ".com"));
        String long253 = ("a".repeat(62) + ".").repeat(4) + "a".repeat(1);
        assertTrue(HostNames.isLdh(long253), "" + long253.length());
        assertFalse(HostNames.isLdh(long253 + "a"));
    }
}

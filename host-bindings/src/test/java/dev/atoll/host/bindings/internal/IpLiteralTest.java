package dev.atoll.host.bindings.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpLiteralTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            # dotted quad
            127.0.0.1                 | 127.0.0.1
            0.0.0.0                   | 0.0.0.0
            255.255.255.255           | 255.255.255.255
            10.1.2.3                  | 10.1.2.3
            169.254.169.254           | 169.254.169.254
            # trailing dot
            127.0.0.1.                | 127.0.0.1
            # inet_aton short forms: the last part fills the remaining bytes
            127.1                     | 127.0.0.1
            127.0.1                   | 127.0.0.1
            10.1                      | 10.0.0.1
            10.65535                  | 10.0.255.255
            10.16777215               | 10.255.255.255
            192.168.257               | 192.168.1.1
            169.254.43518             | 169.254.169.254
            169.16689662              | 169.254.169.254
            127.1.                    | 127.0.0.1
            # one 32-bit integer
            2130706433                | 127.0.0.1
            0                         | 0.0.0.0
            4294967295                | 255.255.255.255
            2852039166                | 169.254.169.254
            167772161                 | 10.0.0.1
            # hexadecimal
            0x7f000001                | 127.0.0.1
            0X7F000001                | 127.0.0.1
            0x7f.0.0.1                | 127.0.0.1
            0x7f.0x0.0x0.0x1          | 127.0.0.1
            0x7f.1                    | 127.0.0.1
            0xa9fea9fe                | 169.254.169.254
            0xffffffff                | 255.255.255.255
            0x                        | 0.0.0.0
            0x0.0x0.0x0.0x0           | 0.0.0.0
            0x00007f000001            | 127.0.0.1
            # octal
            0177.0.0.1                | 127.0.0.1
            0177.1                    | 127.0.0.1
            017700000001              | 127.0.0.1
            00000177.0.0.01           | 127.0.0.1
            012.0.0.1                 | 10.0.0.1
            0251.0376.0251.0376       | 169.254.169.254
            00                        | 0.0.0.0
            037777777777              | 255.255.255.255
            # mixed
            0x7f.0.0.01               | 127.0.0.1
            0177.0x0.1                | 127.0.0.1
            0x7f.0.1                  | 127.0.0.1
            0xA9.254.0251.0xfe        | 169.254.169.254
            # IPv6, RFC 4291 forms
            [::1]                     | 0:0:0:0:0:0:0:1
            [::]                      | 0:0:0:0:0:0:0:0
            [0:0:0:0:0:0:0:1]         | 0:0:0:0:0:0:0:1
            [0000:0000:0000:0000:0000:0000:0000:0001] | 0:0:0:0:0:0:0:1
            [::0:1]                   | 0:0:0:0:0:0:0:1
            [fe80::1]                 | fe80:0:0:0:0:0:0:1
            [FE80::1]                 | fe80:0:0:0:0:0:0:1
            [fc00::]                  | fc00:0:0:0:0:0:0:0
            [2001:db8::8:800:200c:417a] | 2001:db8:0:0:8:800:200c:417a
            [1:2:3:4:5:6:7::]         | 1:2:3:4:5:6:7:0
            [::2:3:4:5:6:7:8]         | 0:2:3:4:5:6:7:8
            [ff02::1]                 | ff02:0:0:0:0:0:0:1
            # IPv4-mapped, -compatible, -translated
            [::ffff:127.0.0.1]        | 0:0:0:0:0:ffff:7f00:1
            [::ffff:7f00:1]           | 0:0:0:0:0:ffff:7f00:1
            [0:0:0:0:0:ffff:127.0.0.1] | 0:0:0:0:0:ffff:7f00:1
            [::FFFF:169.254.169.254]  | 0:0:0:0:0:ffff:a9fe:a9fe
            [::127.0.0.1]             | 0:0:0:0:0:0:7f00:1
            [::ffff:0:10.0.0.1]       | 0:0:0:0:ffff:0:a00:1
            # NAT64, 6to4, Teredo
            [64:ff9b::127.0.0.1]      | 64:ff9b:0:0:0:0:7f00:1
            [64:ff9b::7f00:1]         | 64:ff9b:0:0:0:0:7f00:1
            [64:ff9b:1::10.0.0.1]     | 64:ff9b:1:0:0:0:a00:1
            [2002:7f00:1::]           | 2002:7f00:1:0:0:0:0:0
            [2002:a9fe:a9fe::1]       | 2002:a9fe:a9fe:0:0:0:0:1
            [2001:0:4136:e378:8000:63bf:80ff:fffe] | 2001:0:4136:e378:8000:63bf:80ff:fffe
            """)
    void parsesLiteral(String host, String expected) {
        Optional<InetAddress> a = IpLiteral.parse(host);
        assertTrue(a.isPresent(), host + " should be a literal");
        assertEquals(expected, a.get().getHostAddress(), host);
    }

    @ParameterizedTest(name = "{0} is not a literal")
    @ValueSource(
            strings = {
                // names
                "example.com",
                "localhost",
                "a",
                "127.0.0.1.example.com",
                "0x7f.example",
                "1e100.net",
                // too many parts, out of range parts, bad digits
                "1.2.3.4.5",
                "256.0.0.1",
                "1.256.0.1",
                "1.2.256.1",
                "1.2.3.256",
                "127.16777216",
                "127.0.65536",
                "4294967296",
                "0x100000000",
                "08.0.0.1",
                "0179.0.0.1",
                "09",
                "0xg",
                // empty parts
                "",
                ".",
                "..",
                "1..1",
                ".1.2.3",
                "1.2.3.4..",
                "127.0.0.1..",
                // IPv6 malformed, zone ids, unbracketed
                "::1",
                "[]",
                "[:]",
                "[:::]",
                "[::1",
                "::1]",
                "[1::2::3]",
                "[1:2:3:4:5:6:7:8:9]",
                "[1:2:3:4:5:6:7]",
                "[1:2:3:4:5:6:7:8::]",
                "[12345::]",
                "[::g]",
                "[fe80::1%25eth0]",
                "[fe80::1%eth0]",
                "[::ffff:127.1]",
                "[::ffff:0x7f.0.0.1]",
                "[::ffff:256.0.0.1]",
                "[::127.0.0.1:1]",
                "[:1::]",
                "[::1:]",
                "[ ::1]",
                // signs, spaces, fullwidth and other non-ASCII digits
                "+127.0.0.1",
                "-1",
                "127.0.0.1 ",
                " 127.0.0.1",
                "\uff11\uff12\uff17.0.0.1",
                "\u0661\u0662\u0667.0.0.1",
                "%31%32%37.0.0.1"
            })
    void rejectsNonLiteral(String host) {
        assertEquals(Optional.empty(), IpLiteral.parse(host));
    }

    @Test
    void bracketedLiteralsAreIpv6EvenWhenMapped() {
        assertInstanceOf(
                Inet6Address.class, IpLiteral.parse("[::ffff:127.0.0.1]").orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "1.2.3.4.5",
                "256.0.0.1",
                "08.0.0.1",
                "example.0x",
                "example.0xff",
                "a.b.1",
                "4294967296",
                "example.123.",
                "x.0x"
            })
    void endsInNumber(String host) {
        assertTrue(IpLiteral.endsInNumber(host), host);
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com", "1.2.3.example", "0x7f.example", "a.1b", "a.0xg", "a.b.", "1a"})
    void doesNotEndInNumber(String host) {
        assertFalse(IpLiteral.endsInNumber(host), host);
    }
}

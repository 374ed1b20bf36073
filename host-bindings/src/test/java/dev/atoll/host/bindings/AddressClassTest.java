package dev.atoll.host.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressClassTest {

    /** Numeric literals only: {@link InetAddress#getByName} parses them without any lookup. */
    private static InetAddress ip(String literal) throws UnknownHostException {
        if (!literal.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("not numeric: " + literal);
        }
        return InetAddress.getByName(literal);
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', textBlock = """
            # this network, loopback
            0.0.0.0               | UNSPECIFIED
            0.255.255.255         | UNSPECIFIED
            1.0.0.0               | PUBLIC
            126.255.255.255       | PUBLIC
            127.0.0.0             | LOOPBACK
            127.0.0.1             | LOOPBACK
            127.255.255.255       | LOOPBACK
            128.0.0.0             | PUBLIC
            # RFC 1918
            9.255.255.255         | PUBLIC
            10.0.0.0              | PRIVATE
            10.255.255.255        | PRIVATE
            11.0.0.0              | PUBLIC
            172.15.255.255        | PUBLIC
            172.16.0.0            | PRIVATE
            172.31.255.255        | PRIVATE
            172.32.0.0            | PUBLIC
            192.167.255.255       | PUBLIC
            192.168.0.0           | PRIVATE
            192.168.255.255       | PRIVATE
            192.169.0.0           | PUBLIC
            # link-local (cloud metadata)
            169.253.255.255       | PUBLIC
            169.254.0.0           | LINK_LOCAL
            169.254.169.254       | LINK_LOCAL
            169.254.255.255       | LINK_LOCAL
            169.255.0.0           | PUBLIC
            # CGNAT
            100.63.255.255        | PUBLIC
            100.64.0.0            | CGNAT
            100.127.255.255       | CGNAT
            100.128.0.0           | PUBLIC
            # special purpose, documentation, benchmarking
            192.0.0.0             | RESERVED
            192.0.0.255           | RESERVED
            192.0.1.0             | PUBLIC
            192.0.2.0             | DOCUMENTATION
            192.0.2.255           | DOCUMENTATION
            192.0.3.0             | PUBLIC
            192.88.99.1           | RESERVED
            198.17.255.255        | PUBLIC
            198.18.0.0            | BENCHMARKING
            198.19.255.255        | BENCHMARKING
            198.20.0.0            | PUBLIC
            198.51.100.0          | DOCUMENTATION
            198.51.100.255        | DOCUMENTATION
            203.0.113.0           | DOCUMENTATION
            203.0.113.255         | DOCUMENTATION
            203.0.114.0           | PUBLIC
            # multicast, reserved, broadcast
            223.255.255.255       | PUBLIC
            224.0.0.0             | MULTICAST
            239.255.255.255       | MULTICAST
            240.0.0.0             | RESERVED
            255.255.255.254       | RESERVED
            255.255.255.255       | BROADCAST
            8.8.8.8               | PUBLIC
            93.184.216.34         | PUBLIC
            # IPv6 basics
            ::                    | UNSPECIFIED
            ::1                   | LOOPBACK
            ::2                   | UNSPECIFIED
            fe80::                | LINK_LOCAL
            fe80::1               | LINK_LOCAL
            febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff | LINK_LOCAL
            fec0::1               | PRIVATE
            fc00::                | PRIVATE
            fd12:3456::1          | PRIVATE
            fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | PRIVATE
            fe00::1               | RESERVED
            ff00::                | MULTICAST
            ff02::1               | MULTICAST
            ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | MULTICAST
            2001:db8::1           | DOCUMENTATION
            2001:db8:ffff::1      | DOCUMENTATION
            3fff::1               | DOCUMENTATION
            3fff:fff:ffff::1      | DOCUMENTATION
            2001:2::1             | BENCHMARKING
            2001:10::1            | RESERVED
            2001:1ff::1           | RESERVED
            2001:200::1           | PUBLIC
            100::1                | RESERVED
            4000::1               | RESERVED
            1fff::1               | RESERVED
            2000::                | PUBLIC
            2606:4700::1111       | PUBLIC
            2a00:1450:4001::1     | PUBLIC
            3ffe:ffff::1          | PUBLIC
            3fff:1000::1          | PUBLIC
            3ff0::1               | PUBLIC
            # embedded IPv4: compatible, translated, NAT64, 6to4, Teredo
            ::127.0.0.1           | LOOPBACK
            ::10.0.0.1            | PRIVATE
            ::8.8.8.8             | PUBLIC
            ::ffff:0:127.0.0.1    | LOOPBACK
            ::ffff:0:8.8.8.8      | PUBLIC
            64:ff9b::127.0.0.1    | LOOPBACK
            64:ff9b::169.254.169.254 | LINK_LOCAL
            64:ff9b::10.0.0.1     | PRIVATE
            64:ff9b::8.8.8.8      | PUBLIC
            64:ff9b:1::10.0.0.1   | PRIVATE
            64:ff9b:1::127.0.0.1  | LOOPBACK
            64:ff9b:1:ffff::8.8.8.8 | PRIVATE
            64:ff9b:1::8.8.8.8    | PRIVATE
            64:ff9b:0:1::8.8.8.8  | RESERVED
            2002:7f00:1::         | LOOPBACK
            2002:a9fe:a9fe::1     | LINK_LOCAL
            2002:0a00:0001::1     | PRIVATE
            2002:808:808::1       | PUBLIC
            2001:0:4136:e378:8000:63bf:80ff:fffe | LOOPBACK
            2001:0:4136:e378:8000:63bf:f7f7:f7f7 | PUBLIC
            2001:0:7f00:1:8000:63bf:f7f7:f7f7 | LOOPBACK
            2001:0:4136:e378:8000:63bf:5601:5601 | LINK_LOCAL
            """)
    void classifies(String literal, AddressClass expected) throws UnknownHostException {
        assertEquals(expected, AddressClass.of(ip(literal)), literal);
    }

    /** Java turns {@code ::ffff:a.b.c.d} into an Inet4Address; a raw 16-byte form must classify the same. */
    @ParameterizedTest(name = "::ffff:{0} is {1}")
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.1         | LOOPBACK
            10.0.0.1          | PRIVATE
            169.254.169.254   | LINK_LOCAL
            100.64.0.1        | CGNAT
            0.0.0.0           | UNSPECIFIED
            255.255.255.255   | BROADCAST
            224.0.0.1         | MULTICAST
            8.8.8.8           | PUBLIC
            """)
    void ipv4MappedBytes(String v4, AddressClass expected) throws UnknownHostException {
        byte[] four = ip(v4).getAddress();
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(four, 0, mapped, 12, 4);
        InetAddress a = java.net.Inet6Address.getByAddress(null, mapped, -1);
        assertEquals(java.net.Inet6Address.class, a.getClass());
        assertEquals(expected, AddressClass.of(a));
    }

    @Test
    void onlyPublicIsPublic() {
        for (AddressClass c : AddressClass.values()) {
            assertEquals(c == AddressClass.PUBLIC, c.isPublic(), c.name());
        }
    }
}

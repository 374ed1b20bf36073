package dev.atoll.host.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.host.bindings.EgressDecision.Allowed;
import dev.atoll.host.bindings.EgressDecision.Denied;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EgressPolicyTest {

    /** A fake resolver over numeric answers only; records every lookup. No real DNS in these tests. */
    static final class FakeDns implements Resolver {
        final Map<String, List<String>> answers;
        final List<String> lookups = new ArrayList<>();

        FakeDns(Map<String, List<String>> answers) {
            this.answers = answers;
        }

        @Override
        public List<InetAddress> resolve(String host) throws UnknownHostException {
            lookups.add(host);
            List<String> a = answers.get(host);
            if (a == null) {
                throw new UnknownHostException(host);
            }
            List<InetAddress> out = new ArrayList<>();
            for (String s : a) {
                out.add(InetAddress.getByAddress(host, InetAddress.getByName(s).getAddress()));
            }
            return out;
        }
    }

    private final FakeDns dns = new FakeDns(Map.of(
            "api.example.com", List.of("93.184.216.34", "2606:2800:220:1::1"),
            "other.example.com", List.of("93.184.216.35"),
            "internal.example.com", List.of("10.0.0.5"),
            "rebind.example.com", List.of("93.184.216.34", "127.0.0.1"),
            "rebind6.example.com", List.of("2606:2800:220:1::1", "fd00::1"),
            "metadata.example.com", List.of("169.254.169.254"),
            "mapped.example.com", List.of("64:ff9b::a9fe:a9fe"),
            "empty.example.com", List.of(),
            "localhost", List.of("127.0.0.1")));

    private static final List<String> EGRESS = List.of(
            "api.example.com",
            "other.example.com:8443",
            "internal.example.com",
            "rebind.example.com",
            "rebind6.example.com",
            "metadata.example.com",
            "mapped.example.com",
            "empty.example.com",
            "unknown.example.com",
            "localhost");

    private static Denied denied(EgressDecision d, DenyReason reason) {
        Denied den = assertInstanceOf(Denied.class, d, () -> "expected " + reason + ", got " + d);
        assertEquals(reason, den.reason(), den.message());
        return den;
    }

    private EgressDecision check(EgressPolicy p, String url) {
        return p.check(url, EGRESS, dns);
    }

    @Test
    void allowsListedHttpsHostAndPinsTheCheckedAddress() {
        Allowed a = assertInstanceOf(Allowed.class, check(EgressPolicy.defaults(), "https://api.example.com/v1?q=1"));
        assertEquals(URI.create("https://api.example.com/v1?q=1"), a.uri());
        assertEquals("93.184.216.34", a.pinnedAddress().getAddress().getHostAddress());
        assertEquals("api.example.com", a.pinnedAddress().getHostString());
        assertEquals(443, a.pinnedAddress().getPort());
        assertEquals(List.of("api.example.com"), dns.lookups);
    }

    @Test
    void hostMatchingIsCaseInsensitiveAndIgnoresOneTrailingDot() {
        Allowed a = assertInstanceOf(Allowed.class, check(EgressPolicy.defaults(), "HTTPS://API.Example.COM./x"));
        assertEquals(URI.create("https://api.example.com/x"), a.uri());
    }

    @Test
    void emptyPathBecomesSlashAndFragmentIsDropped() {
        Allowed a = assertInstanceOf(Allowed.class, check(EgressPolicy.defaults(), "https://api.example.com#frag"));
        assertEquals(URI.create("https://api.example.com/"), a.uri());
    }

    @Test
    void userinfoIsStripped() {
        Allowed a = assertInstanceOf(
                Allowed.class, check(EgressPolicy.defaults(), "https://user:secret@api.example.com/p"));
        assertEquals(URI.create("https://api.example.com/p"), a.uri());
        assertEquals(null, a.uri().getUserInfo());
    }

    @Test
    void userinfoThatLooksLikeAListedHostDoesNotCount() {
        denied(check(EgressPolicy.defaults(), "https://api.example.com@evil.example.net/"), DenyReason.NOT_IN_EGRESS);
        denied(check(EgressPolicy.defaults(), "https://api.example.com:443@127.0.0.1/"), DenyReason.IP_LITERAL);
    }

    @Test
    void hostNotInEgressListIsDenied() {
        Denied d = denied(check(EgressPolicy.defaults(), "https://evil.example.net/"), DenyReason.NOT_IN_EGRESS);
        assertTrue(d.message().contains("evil.example.net"), d.message());
        denied(check(EgressPolicy.defaults(), "https://example.com/"), DenyReason.NOT_IN_EGRESS);
        denied(check(EgressPolicy.defaults(), "https://sub.api.example.com/"), DenyReason.NOT_IN_EGRESS);
        assertEquals(List.of(), dns.lookups);
    }

    @Test
    void emptyEgressListDeniesEverything() {
        denied(EgressPolicy.defaults().check("https://api.example.com/", List.of(), dns), DenyReason.NOT_IN_EGRESS);
    }

    @Test
    void operatorDenyListWins() {
        EgressPolicy p = EgressPolicy.builder()
                .denyHost("API.example.com")
                .httpsPorts(443, 8443)
                .build();
        denied(check(p, "https://api.example.com/"), DenyReason.OPERATOR_DENIED);
        denied(check(p, "https://api.example.com./"), DenyReason.OPERATOR_DENIED);
        assertInstanceOf(Allowed.class, check(p, "https://other.example.com:8443/"));
        EgressPolicy literal = EgressPolicy.builder()
                .allowAddress("127.0.0.1")
                .denyHost("127.0.0.1")
                .build();
        denied(literal.check("https://127.0.0.1/", List.of("127.0.0.1"), dns), DenyReason.OPERATOR_DENIED);
        denied(literal.check("https://0x7f000001/", List.of("127.0.0.1"), dns), DenyReason.OPERATOR_DENIED);
    }

    @Test
    void httpIsDeniedByDefaultAndAllowedOnlyOnHttpPorts() {
        denied(check(EgressPolicy.defaults(), "http://api.example.com/"), DenyReason.HTTP_NOT_ALLOWED);
        EgressPolicy p = EgressPolicy.builder().allowHttp(true).build();
        Allowed a = assertInstanceOf(Allowed.class, check(p, "http://api.example.com/"));
        assertEquals(80, a.pinnedAddress().getPort());
        denied(check(p, "http://api.example.com:443/"), DenyReason.PORT_NOT_ALLOWED);
        denied(check(p, "https://api.example.com:80/"), DenyReason.PORT_NOT_ALLOWED);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "ftp://api.example.com/",
                "file:///etc/passwd",
                "gopher://api.example.com/",
                "ws://api.example.com/",
                "jar:https://api.example.com/x.jar!/",
                "mailto:a@api.example.com",
                "javascript:alert(1)",
                "data:text/plain,hi"
            })
    void onlyHttpAndHttps(String url) {
        Denied d = assertInstanceOf(Denied.class, check(EgressPolicy.defaults(), url));
        assertTrue(d.reason() == DenyReason.UNSUPPORTED_SCHEME || d.reason() == DenyReason.MALFORMED_URL, d.toString());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/relative",
                "api.example.com/x",
                "//api.example.com/x",
                "https:///x",
                "https://",
                "https://api.example.com:/",
                "https://api.example.com:0/",
                "https://api.example.com:65536/",
                "https://api.example.com:-1/",
                "https://api.example.com:443:443/",
                "http s://x",
                "https://a b/"
            })
    void malformed(String url) {
        Denied d = assertInstanceOf(Denied.class, check(EgressPolicy.defaults(), url), url);
        assertTrue(d.reason() == DenyReason.MALFORMED_URL || d.reason() == DenyReason.INVALID_HOST, d.toString());
    }

    @Test
    void portMustBeAllowlistedByOperatorAndMatchTheEntry() {
        denied(check(EgressPolicy.defaults(), "https://api.example.com:8443/"), DenyReason.PORT_NOT_ALLOWED);
        denied(check(EgressPolicy.defaults(), "https://other.example.com:8443/"), DenyReason.PORT_NOT_ALLOWED);
        EgressPolicy p = EgressPolicy.builder().httpsPorts(443, 8443).build();
        assertInstanceOf(Allowed.class, check(p, "https://api.example.com:8443/"));
        Allowed a = assertInstanceOf(Allowed.class, check(p, "https://other.example.com:8443/x"));
        assertEquals(URI.create("https://other.example.com:8443/x"), a.uri());
        assertEquals(8443, a.pinnedAddress().getPort());
        denied(check(p, "https://other.example.com/"), DenyReason.NOT_IN_EGRESS);
        assertInstanceOf(Allowed.class, check(p, "https://api.example.com:443/"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0.1",
                "127.1",
                "127.0.1",
                "2130706433",
                "0x7f000001",
                "0x7f.0.0.1",
                "0x7f.1",
                "0177.0.0.1",
                "017700000001",
                "0177.1",
                "0x7F.0.0.01",
                "127.0.0.1.",
                "[::1]",
                "[::ffff:127.0.0.1]",
                "[::ffff:7f00:1]",
                "[::127.0.0.1]",
                "[64:ff9b::7f00:1]",
                "[2002:7f00:1::]",
                "[0:0:0:0:0:0:0:1]",
                "169.254.169.254",
                "0xa9fea9fe",
                "2852039166",
                "[::ffff:169.254.169.254]",
                "0.0.0.0",
                "0",
                "[::]",
                "10.0.0.1",
                "8.8.8.8",
                "0x08080808",
                "[2606:4700::1111]",
                "100.64.0.1",
                "[fe80::1]"
            })
    void everyIpLiteralNotationIsDenied(String host) {
        EgressPolicy p = EgressPolicy.builder().allowHttp(true).build();
        List<String> egress = List.of("127.0.0.1", "[::1]", "8.8.8.8", "api.example.com");
        denied(p.check("https://" + host + "/", egress, dns), DenyReason.IP_LITERAL);
        denied(p.check("http://" + host + ":80/", egress, dns), DenyReason.IP_LITERAL);
        assertEquals(List.of(), dns.lookups);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "1.2.3.4.5",
                "256.0.0.1",
                "08.0.0.1",
                "example.0x1f",
                "example.123",
                "a%2eexample.com",
                "%31%32%37.0.0.1",
                "api%2Eexample.com",
                "[fe80::1%25eth0]",
                "[::1",
                "exa_mple.com",
                "-api.example.com",
                "api..example.com",
                "\uff41pi.example.com",
                "\uff11\uff12\uff17.0.0.1",
                "b\u00fccher.example",
                "\u212Aey.example.com",
                "api.example.com..",
                "[]",
                "[v1.x]",
                "api.example.com\\@evil.com",
                "api.example.com%00",
                "api.example.com\t"
            })
    void invalidHostsAreDenied(String host) {
        // Java's URI parser refuses some of these outright (MALFORMED_URL); the rest reach the host check.
        Denied d = assertInstanceOf(Denied.class, EgressPolicy.defaults().check("https://" + host + "/", EGRESS, dns));
        assertTrue(d.reason() == DenyReason.INVALID_HOST || d.reason() == DenyReason.MALFORMED_URL, d.toString());
        assertEquals(List.of(), dns.lookups);
    }

    @Test
    void nameResolvingToPrivateAddressIsDenied() {
        Denied d =
                denied(check(EgressPolicy.defaults(), "https://internal.example.com/"), DenyReason.NON_PUBLIC_ADDRESS);
        assertTrue(d.message().contains("10.0.0.5") && d.message().contains("private"), d.message());
        denied(check(EgressPolicy.defaults(), "https://metadata.example.com/"), DenyReason.NON_PUBLIC_ADDRESS);
        denied(check(EgressPolicy.defaults(), "https://mapped.example.com/"), DenyReason.NON_PUBLIC_ADDRESS);
        denied(check(EgressPolicy.defaults(), "https://localhost/"), DenyReason.NON_PUBLIC_ADDRESS);
    }

    @Test
    void anyNonPublicAnswerDeniesRebindingStyle() {
        denied(check(EgressPolicy.defaults(), "https://rebind.example.com/"), DenyReason.NON_PUBLIC_ADDRESS);
        denied(check(EgressPolicy.defaults(), "https://rebind6.example.com/"), DenyReason.NON_PUBLIC_ADDRESS);
        assertEquals(List.of("rebind.example.com", "rebind6.example.com"), dns.lookups);
    }

    @Test
    void unresolvableIsDenied() {
        denied(check(EgressPolicy.defaults(), "https://unknown.example.com/"), DenyReason.UNRESOLVABLE);
        denied(check(EgressPolicy.defaults(), "https://empty.example.com/"), DenyReason.UNRESOLVABLE);
    }

    @Test
    void resolvesExactlyOnceAndPinsTheFirstAnswer() {
        int[] calls = {0};
        Resolver r = host -> {
            calls[0]++;
            return List.of(
                    InetAddress.getByAddress(new byte[] {93, (byte) 184, (byte) 216, 34}),
                    InetAddress.getByAddress(new byte[] {93, (byte) 184, (byte) 216, 35}));
        };
        Allowed a =
                assertInstanceOf(Allowed.class, EgressPolicy.defaults().check("https://api.example.com/", EGRESS, r));
        assertEquals(1, calls[0]);
        assertEquals("93.184.216.34", a.pinnedAddress().getAddress().getHostAddress());
        assertTrue(!a.pinnedAddress().isUnresolved());
    }

    @Test
    void operatorAllowlistLetsLoopbackThroughOnlyWhenConfigured() {
        List<String> egress = List.of("127.0.0.1:8080", "localhost:8080");
        EgressPolicy strict =
                EgressPolicy.builder().allowHttp(true).httpPorts(8080).build();
        denied(strict.check("http://127.0.0.1:8080/", egress, dns), DenyReason.IP_LITERAL);
        denied(strict.check("http://localhost:8080/", egress, dns), DenyReason.NON_PUBLIC_ADDRESS);

        EgressPolicy test = EgressPolicy.builder()
                .allowHttp(true)
                .httpPorts(8080)
                .allowAddress("127.0.0.1")
                .build();
        Allowed lit = assertInstanceOf(Allowed.class, test.check("http://127.0.0.1:8080/x", egress, dns));
        assertEquals(URI.create("http://127.0.0.1:8080/x"), lit.uri());
        assertEquals("127.0.0.1", lit.pinnedAddress().getAddress().getHostAddress());
        Allowed name = assertInstanceOf(Allowed.class, test.check("http://localhost:8080/", egress, dns));
        assertEquals("127.0.0.1", name.pinnedAddress().getAddress().getHostAddress());
        // another notation of the allowlisted address is rewritten to its canonical form
        Allowed alt = assertInstanceOf(Allowed.class, test.check("http://0x7f.1:8080/", egress, dns));
        assertEquals(URI.create("http://127.0.0.1:8080/"), alt.uri());
        // only the allowlisted address, only listed entries, only allowed ports
        denied(test.check("http://127.0.0.2:8080/", egress, dns), DenyReason.IP_LITERAL);
        denied(test.check("http://127.0.0.1:8081/", egress, dns), DenyReason.NOT_IN_EGRESS);
        denied(test.check("http://127.0.0.1:8080/", List.of("localhost:8080"), dns), DenyReason.NOT_IN_EGRESS);
        denied(test.check("http://[::ffff:127.0.0.1]:8080/", egress, dns), DenyReason.IP_LITERAL);
        denied(
                test.check("http://internal.example.com:8080/", List.of("internal.example.com"), dns),
                DenyReason.NON_PUBLIC_ADDRESS);
    }

    @Test
    void operatorAllowlistCidrAndIpv6() {
        EgressPolicy p = EgressPolicy.builder()
                .allowAddress("10.0.0.0/8")
                .allowAddress("::1")
                .build();
        assertInstanceOf(Allowed.class, check(p, "https://internal.example.com/"));
        Allowed v6 = assertInstanceOf(Allowed.class, p.check("https://[::1]/", List.of("[::1]"), dns));
        assertEquals(URI.create("https://[0:0:0:0:0:0:0:1]/"), v6.uri());
        denied(check(p, "https://metadata.example.com/"), DenyReason.NON_PUBLIC_ADDRESS);
    }

    @Test
    void redirectTargetsGetTheSameCheck() {
        EgressPolicy p = EgressPolicy.defaults();
        URI from = URI.create("https://api.example.com/start");
        Allowed rel = assertInstanceOf(Allowed.class, p.checkRedirect(from, "/next?x=1", 0, EGRESS, dns));
        assertEquals(URI.create("https://api.example.com/next?x=1"), rel.uri());
        denied(p.checkRedirect(from, "https://evil.example.net/", 0, EGRESS, dns), DenyReason.NOT_IN_EGRESS);
        denied(
                p.checkRedirect(from, "https://169.254.169.254/latest/meta-data/", 0, EGRESS, dns),
                DenyReason.IP_LITERAL);
        denied(p.checkRedirect(from, "https://0xa9fea9fe/", 0, EGRESS, dns), DenyReason.IP_LITERAL);
        denied(p.checkRedirect(from, "http://api.example.com/", 0, EGRESS, dns), DenyReason.HTTP_NOT_ALLOWED);
        denied(p.checkRedirect(from, "https://internal.example.com/", 0, EGRESS, dns), DenyReason.NON_PUBLIC_ADDRESS);
        denied(p.checkRedirect(from, "file:///etc/passwd", 0, EGRESS, dns), DenyReason.UNSUPPORTED_SCHEME);
        denied(p.checkRedirect(from, "https://a b/", 0, EGRESS, dns), DenyReason.MALFORMED_URL);
        Allowed hop = assertInstanceOf(
                Allowed.class, p.checkRedirect(from, "https://user:pw@api.example.com/last", 4, EGRESS, dns));
        assertEquals(URI.create("https://api.example.com/last"), hop.uri());
        denied(p.checkRedirect(from, "/next", 5, EGRESS, dns), DenyReason.TOO_MANY_REDIRECTS);
        denied(
                EgressPolicy.builder().maxRedirects(0).build().checkRedirect(from, "/next", 0, EGRESS, dns),
                DenyReason.TOO_MANY_REDIRECTS);
    }

    @Test
    void builderDefaults() {
        EgressPolicy p = EgressPolicy.defaults();
        assertEquals(false, p.allowHttp());
        assertEquals(java.util.Set.of(443), p.httpsPorts());
        assertEquals(java.util.Set.of(80), p.httpPorts());
        assertEquals(List.of(), p.deniedHosts());
        assertEquals(List.of(), p.allowedAddresses());
        assertEquals(5, p.maxRedirects());
    }

    @Test
    void builderFailsFastNamingTheValue() {
        assertMessage("70000", () -> EgressPolicy.builder().httpsPorts(443, 70000));
        assertMessage("0", () -> EgressPolicy.builder().httpPorts(0));
        assertMessage("empty", () -> EgressPolicy.builder().httpsPorts());
        assertMessage("-1", () -> EgressPolicy.builder().maxRedirects(-1));
        assertMessage("10.0.0.1/8", () -> EgressPolicy.builder().allowAddress("10.0.0.1/8"));
        assertMessage("localhost", () -> EgressPolicy.builder().allowAddress("localhost"));
        assertMessage("a b", () -> EgressPolicy.builder().denyHost("a b"));
        EgressPolicy p = EgressPolicy.builder()
                .allowAddress("10.0.0.0/8")
                .denyHost("Evil.Example.")
                .build();
        assertEquals(List.of("10.0.0.0/8"), p.allowedAddresses());
        assertEquals(List.of("evil.example"), p.deniedHosts());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "*.example.com",
                "\u212Aey.example.com",
                "api.example.com:",
                "api.example.com:0",
                "api.example.com:99999",
                "https://api.example.com",
                "127.1",
                "0x7f000001",
                "::1",
                "[::1",
                "a b",
                "",
                "10.0.0.0/8",
                "api.example.com/path"
            })
    void invalidEgressEntriesFailFast(String entry) {
        HostBindingsException e =
                assertThrows(HostBindingsException.class, () -> EgressPolicy.validateEgressEntry(entry));
        assertTrue(e.getMessage().contains("'" + entry + "'"), e.getMessage());
        assertThrows(
                HostBindingsException.class,
                () -> EgressPolicy.defaults().check("https://api.example.com/", List.of(entry), dns));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "api.example.com",
                "api.example.com:8443",
                "127.0.0.1",
                "127.0.0.1:8080",
                "[::1]",
                "[::1]:8080",
                "xn--bcher-kva.example",
                "API.Example.com:443"
            })
    void validEgressEntries(String entry) {
        EgressPolicy.validateEgressEntry(entry);
    }

    private static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable e) {
        HostBindingsException ex = assertThrows(HostBindingsException.class, e);
        assertTrue(ex.getMessage().contains(fragment), ex.getMessage());
    }
}

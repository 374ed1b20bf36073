package dev.atoll.host.bindings.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The host's checks of the values a guest hands to fetch (issue #18, W2), value by value. */
class GuestRequestTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(
            strings = {
                "POST /steal HTTP/1.1\r\nHost: evil\r\n\r\n",
                "GET\n",
                "GE T",
                "",
                "PROPFIND",
                "CONNECT",
                "TRACE",
                "AKIAIOSFODNN7EXAMPLE",
                "GETTTTTTTTTTTTTTTTT"
            })
    void badOrDisallowedMethodsAreRefused(String method) {
        assertThrows(GuestRequest.Refused.class, () -> GuestRequest.method(method));
    }

    @Test
    void allowedMethodsAreUpperCased() throws Exception {
        assertEquals("PATCH", GuestRequest.method("patch"));
        assertEquals("GET", GuestRequest.method("GET"));
        assertEquals("", GuestRequest.forReceipt("POST /x HTTP/1.1\r\n"));
        assertEquals("PROPFIND", GuestRequest.forReceipt("propfind"));
    }

    @Test
    void urlsWithControlsOrSpacesAreRefusedAndNonAsciiIsEncoded() throws Exception {
        for (String bad : new String[] {
            "http://a.test/x\r\nHost: evil",
            "http://a.test/ x",
            "http://a.test/\u0000",
            "http://a.test/\u0085",
            "http://a.test/\ud800"
        }) {
            assertThrows(GuestRequest.Refused.class, () -> GuestRequest.url(bad), bad);
        }
        assertEquals("http://a.test/s?q=%C3%BC%F0%9F%98%80", GuestRequest.url("http://a.test/s?q=ü\ud83d\ude00"));
        assertEquals("https://a.test/plain?x=1", GuestRequest.url("https://a.test/plain?x=1"));
    }

    @Test
    void headersMustBeTokenNamesAndClean() throws Exception {
        for (String bad : new String[] {
            "[[\"x-a\",\"v\\r\\nHost: evil\"]]",
            "[[\"x a\",\"v\"]]",
            "[[\"x-a\\r\\n\",\"v\"]]",
            "[[\"x-a\",1]]",
            "[[\"x-a\"]]",
            "{\"x-a\":\"v\"}",
            "[[\"x-a\",\"\\u0100\"]]"
        }) {
            assertThrows(GuestRequest.Refused.class, () -> GuestRequest.headers(JSON.readTree(bad)), bad);
        }
        assertEquals(
                List.of(new dev.atoll.host.bindings.HttpHeader("x-a", "v\tw")),
                GuestRequest.headers(JSON.readTree("[[\"X-A\",\" v\\tw \"]]")));
    }

    @Test
    void bodyTimeoutAndRedirectAreChecked() throws Exception {
        assertThrows(GuestRequest.Refused.class, () -> GuestRequest.latin1("\u0100"));
        assertThrows(GuestRequest.Refused.class, () -> GuestRequest.timeout(Double.NaN));
        assertThrows(GuestRequest.Refused.class, () -> GuestRequest.timeout(-1));
        assertThrows(GuestRequest.Refused.class, () -> GuestRequest.redirect("sometimes"));
        assertEquals(2000, GuestRequest.timeout(2000.7));
        assertEquals(3, GuestRequest.latin1("a\u00ff\u0000").length);
    }
}

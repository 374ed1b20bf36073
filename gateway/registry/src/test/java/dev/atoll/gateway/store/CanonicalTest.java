package dev.atoll.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.runtime.Language;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Canonical JSON and the tool digest's canonical form. */
class CanonicalTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode parse(String s) throws Exception {
        return (ObjectNode) JSON.readTree(s);
    }

    @Test
    void keysAreSortedAndWhitespaceOutsideStringsIsDropped() throws Exception {
        ObjectNode a =
                parse("{ \"b\" : 1,\n \"a\": {\"z\": [3, 2, {\"y\": true, \"x\": null}], \"é\": \"v\", \"A\": 0} }");
        ObjectNode b = parse("{\"a\":{\"A\":0,\"z\":[3,2,{\"x\":null,\"y\":true}],\"é\":\"v\"},\"b\":1}");
        assertEquals("{\"a\":{\"A\":0,\"z\":[3,2,{\"x\":null,\"y\":true}],\"é\":\"v\"},\"b\":1}", Canonical.json(a));
        assertEquals(Canonical.json(a), Canonical.json(b));
    }

    @Test
    void whitespaceInsideStringsAndArrayOrderAreSignificant() throws Exception {
        assertNotEquals(Canonical.json(parse("{\"d\":\"a b\"}")), Canonical.json(parse("{\"d\":\"a  b\"}")));
        assertNotEquals(Canonical.json(parse("{\"d\":\"a\"}")), Canonical.json(parse("{\"d\":\"a\\n\"}")));
        assertNotEquals(Canonical.json(parse("{\"e\":[\"a\",\"b\"]}")), Canonical.json(parse("{\"e\":[\"b\",\"a\"]}")));
    }

    @Test
    void asciiFormEscapesEverythingOutsidePrintableAscii() throws Exception {
        ObjectNode n = JSON.createObjectNode().put("k", "é\u001b[31m\u007f\u202e\r\n\uD83D\uDE00");
        assertEquals("{\"k\":\"\\u00E9\\u001B[31m\\u007F\\u202E\\r\\n\\uD83D\\uDE00\"}", Canonical.asciiJson(n));
        assertEquals(n, JSON.readTree(Canonical.asciiJson(n)), "round-trips");
    }

    @Test
    void theToolDigestIsSha256OfTheDocumentedCanonicalForm() throws Exception {
        ObjectNode manifest = parse("{\"name\":\"t\",\"description\":\"D\",\"inputSchema\":{\"type\":\"object\"}}");
        String code = "export default () => 1;\n";
        String codeSha = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(code.getBytes(StandardCharsets.UTF_8)));
        String form = "{\"codeSha256\":\"" + codeSha + "\",\"format\":\"atoll-tool-v1\",\"language\":\"js\","
                + "\"manifest\":{\"description\":\"D\",\"inputSchema\":{\"type\":\"object\"},\"name\":\"t\"}}";
        assertEquals(form, Canonical.canonicalToolForm(Language.JS, code, manifest));
        assertEquals(
                HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(form.getBytes(StandardCharsets.UTF_8))),
                Canonical.toolDigest(Language.JS, code, manifest));
        assertNotEquals(
                Canonical.toolDigest(Language.JS, code, manifest),
                Canonical.toolDigest(Language.PYTHON, code, manifest));
    }
}

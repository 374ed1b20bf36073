package dev.atoll.gateway.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.runtime.Language;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Canonical JSON and the tool digest.
 *
 * <p>Canonical JSON: object keys sorted by UTF-16 code units (as RFC 8785), no whitespace outside
 * strings, array order kept, strings exactly as given (so a whitespace change inside a description
 * changes the text), numbers as Jackson writes the parsed value. Optionally every non-ASCII and
 * control character is escaped as {@code \\uXXXX} ({@link #asciiJson}), which the audit log uses so
 * stored and printed records cannot carry terminal control sequences.
 */
public final class Canonical {

    private static final JsonFactory PLAIN = JsonFactory.builder().build();
    private static final JsonFactory ASCII = new com.fasterxml.jackson.core.JsonFactoryBuilder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .characterEscapes(new AsciiEscapes())
            .build();

    static {
        // The mappers register themselves as the factories' codecs, which JsonGenerator.writeTree needs.
        new com.fasterxml.jackson.databind.ObjectMapper(PLAIN);
        new com.fasterxml.jackson.databind.ObjectMapper(ASCII);
    }

    private static final String DIGEST_VERSION = "atoll-tool-v1";

    private Canonical() {}

    /**
     * The canonical JSON text of a tree.
     *
     * @param node any JSON tree
     * @return its canonical text
     */
    public static String json(JsonNode node) {
        return write(PLAIN, node);
    }

    /**
     * Canonical JSON with only printable ASCII: every character outside U+0020..U+007E escaped.
     *
     * @param node any JSON tree
     * @return its canonical, ASCII-only text
     */
    public static String asciiJson(JsonNode node) {
        return write(ASCII, node);
    }

    /** A generator that writes only printable ASCII, for streaming output. */
    public static JsonGenerator asciiGenerator(java.io.Writer out) throws IOException {
        return ASCII.createGenerator(out);
    }

    private static String write(JsonFactory f, JsonNode node) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = f.createGenerator(w)) {
            write(g, node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /**
     * Writes a tree canonically to a generator.
     *
     * @param g the generator
     * @param node the tree
     * @throws IOException from the generator
     */
    public static void write(JsonGenerator g, JsonNode node) throws IOException {
        if (node.isObject()) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(node.properties());
            fields.sort(Map.Entry.comparingByKey());
            g.writeStartObject();
            for (Map.Entry<String, JsonNode> e : fields) {
                g.writeFieldName(e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (node.isArray()) {
            g.writeStartArray();
            for (JsonNode element : node) {
                write(g, element);
            }
            g.writeEndArray();
        } else {
            g.writeTree(node);
        }
    }

    /**
     * The digest of a tool version: SHA-256 (lowercase hex) of the canonical JSON of
     * {@code {"codeSha256": hex SHA-256 of the code's UTF-8 bytes, "format": "atoll-tool-v1",
     * "language": id, "manifest": the whole manifest}}.
     *
     * @param language guest language
     * @param code source text
     * @param manifest manifest JSON (name, title, description, schemas, annotations, egress,
     *     secrets, limits)
     * @return the digest
     */
    public static String toolDigest(Language language, String code, ObjectNode manifest) {
        return sha256Hex(canonicalToolForm(language, code, manifest).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The canonical form a tool digest is computed over (exposed for docs and tests).
     *
     * @param language guest language
     * @param code source text
     * @param manifest manifest JSON
     * @return canonical JSON text
     */
    public static String canonicalToolForm(Language language, String code, ObjectNode manifest) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("format", DIGEST_VERSION);
        doc.put("language", language.id());
        doc.put("codeSha256", codeDigest(code));
        doc.set("manifest", manifest);
        return json(doc);
    }

    /**
     * SHA-256 of the code's UTF-8 bytes.
     *
     * @param code source text
     * @return lowercase hex
     */
    public static String codeDigest(String code) {
        return sha256Hex(code.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * SHA-256 as lowercase hex.
     *
     * @param bytes input
     * @return 64 hex digits
     */
    public static String sha256Hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(sha256(bytes));
    }

    /**
     * SHA-256.
     *
     * @param bytes input
     * @return 32 bytes
     */
    public static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** With ESCAPE_NON_ASCII: escapes every character outside printable ASCII, DEL included. */
    private static final class AsciiEscapes extends com.fasterxml.jackson.core.io.CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] escapes;

        AsciiEscapes() {
            escapes = standardAsciiEscapesForJSON();
            escapes[0x7f] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return escapes;
        }

        @Override
        public com.fasterxml.jackson.core.@Nullable SerializableString getEscapeSequence(int ch) {
            return null;
        }
    }
}

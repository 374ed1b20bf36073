package dev.atoll.runtime;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The code of one tool file, as uploaded.
 *
 * @param language the guest language
 * @param fileName the file name shown in stack traces (no directories), e.g. {@code word_count.mjs}
 * @param code the source text
 */
public record ToolSource(Language language, String fileName, String code) {

    /** Largest tool file accepted, in characters. */
    public static final int MAX_CODE_CHARS = 4 * 1024 * 1024;

    /** Validates the components. */
    public ToolSource {
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(code, "code");
        if (fileName.isEmpty() || fileName.length() > 255 || !fileName.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException(
                    "fileName must be 1-255 characters of [A-Za-z0-9._-], got '" + fileName + "'");
        }
        if (code.length() > MAX_CODE_CHARS) {
            throw new IllegalArgumentException(
                    "tool code is " + code.length() + " characters; the maximum is " + MAX_CODE_CHARS);
        }
    }

    /**
     * A JavaScript tool.
     *
     * @param fileName file name used in stack traces
     * @param code ES module source
     * @return the source
     */
    public static ToolSource js(String fileName, String code) {
        return new ToolSource(Language.JS, fileName, code);
    }

    /**
     * A Python tool.
     *
     * @param fileName file name used in tracebacks, e.g. {@code word_count.py}
     * @param code Python module source defining {@code TOOL} and {@code main(args, env)}
     * @return the source
     */
    public static ToolSource python(String fileName, String code) {
        return new ToolSource(Language.PYTHON, fileName, code);
    }

    /**
     * Reads a tool file; the language follows from its extension.
     *
     * @param file the file
     * @return the source
     * @throws IOException if the file cannot be read or is not UTF-8
     * @throws IllegalArgumentException if the extension is unknown or the file is too large
     */
    public static ToolSource read(Path file) throws IOException {
        String name = file.getFileName().toString();
        Language language = Language.ofFileName(name)
                .orElseThrow(() -> new IllegalArgumentException(
                        "cannot tell the language of '" + name + "': use .mjs or .js for JavaScript, .py for Python"));
        if (Files.size(file) > MAX_CODE_CHARS) {
            throw new IllegalArgumentException("tool file '" + name + "' is larger than " + MAX_CODE_CHARS + " bytes");
        }
        byte[] bytes = Files.readAllBytes(file);
        String code;
        try {
            code = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IOException("tool file '" + name + "' is not valid UTF-8", e);
        }
        return new ToolSource(language, name, code);
    }

    /** SHA-256 of the code's UTF-8 bytes, as lowercase hex. */
    public String codeDigest() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(code.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}

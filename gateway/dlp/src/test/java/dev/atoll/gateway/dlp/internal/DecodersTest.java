package dev.atoll.gateway.dlp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DecodersTest {

    @Test
    void base64OfTextDecodesAndBinaryDoesNot() {
        String b = Base64.getEncoder().encodeToString("hello wörld, a longer text".getBytes(StandardCharsets.UTF_8));
        assertEquals(
                Optional.of("hello wörld, a longer text"), Decoders.base64("x " + b + " y", 2, 2 + b.length(), false));
        byte[] bin = new byte[300];
        new Random(1).nextBytes(bin);
        String r = Base64.getEncoder().encodeToString(bin);
        assertTrue(Decoders.base64(r, 0, r.length(), false).isEmpty());
        String unpadded = Base64.getUrlEncoder().withoutPadding().encodeToString("text??>>text".getBytes());
        assertEquals(Optional.of("text??>>text"), Decoders.base64(unpadded, 0, unpadded.length(), true));
    }

    @Test
    void hex() {
        String h = HexFormat.of().formatHex("a secret in hex form".getBytes());
        assertEquals(Optional.of("a secret in hex form"), Decoders.hex(h, 0, h.length()));
        assertTrue(
                Decoders.hex("da39a3ee5e6b4b0d3255bfef95601890afd80709", 0, 40).isEmpty(), "a SHA-1 is not text");
        String upper = HexFormat.of().withUpperCase().formatHex("Upper Case Hex!".getBytes());
        assertEquals(
                Optional.of("Upper Case Hex!"),
                Decoders.hex("[" + upper + "f]", 1, 2 + upper.length()),
                "upper case, inside other text, odd length (the last digit is dropped)");
        String oneControl = HexFormat.of().formatHex("twenty-one chars\u0001text".getBytes(StandardCharsets.UTF_8));
        assertEquals(
                Optional.of("twenty-one chars\u0001text"),
                Decoders.hex(oneControl, 0, oneControl.length()),
                "one control byte in 21 is within the 5 % allowed");
        String utf8 = HexFormat.of().formatHex("grüße".getBytes(StandardCharsets.UTF_8));
        assertEquals(Optional.of("grüße"), Decoders.hex(utf8, 0, utf8.length()));
        assertTrue(Decoders.hex("41424300414243", 0, 14).isEmpty(), "a NUL byte means binary");
        assertTrue(Decoders.hex("c3", 0, 2).isEmpty(), "a cut UTF-8 sequence is not text");
        assertTrue(Decoders.hex("", 0, 0).isEmpty());
    }

    @Test
    void hexAgreesWithAStrictUtf8DecoderOnMangledText() {
        // The hex decoder rejects early on bytes that cannot be UTF-8; it must never reject what the JDK's
        // strict decoder accepts, nor accept what it rejects.
        Random r = new Random(7);
        int accepted = 0;
        for (int round = 0; round < 20_000; round++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + r.nextInt(24);
            for (int i = 0; i < len; i++) {
                int cp = switch (r.nextInt(4)) {
                    case 0 -> 0x20 + r.nextInt(0x5f);
                    case 1 -> 0xa0 + r.nextInt(0x700);
                    case 2 -> 0x3000 + r.nextInt(0x5000);
                    default -> 0x1f300 + r.nextInt(0x300);
                };
                sb.appendCodePoint(cp);
            }
            byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
            if (round % 2 == 1) { // mangle: replace, drop or cut bytes
                int at = r.nextInt(b.length);
                switch (r.nextInt(3)) {
                    case 0 -> b[at] = (byte) (1 + r.nextInt(255));
                    case 1 -> b = Arrays.copyOf(b, at);
                    default -> {
                        byte[] c = new byte[b.length - 1];
                        System.arraycopy(b, 0, c, 0, at);
                        System.arraycopy(b, at + 1, c, at, b.length - at - 1);
                        b = c;
                    }
                }
            }
            Optional<String> expected = strict(b);
            String h = HexFormat.of().formatHex(b);
            assertEquals(expected, Decoders.hex(h, 0, h.length()), () -> "bytes " + h);
            if (expected.isPresent()) {
                accepted++;
            }
        }
        assertTrue(accepted > 10_000 && accepted < 20_000, "both outcomes exercised: " + accepted);
    }

    /** What the hex decoder must return for these bytes: text (no NUL, at most 5 % control bytes) that is strict UTF-8. */
    private static Optional<String> strict(byte[] b) {
        int bad = 0;
        for (byte x : b) {
            int v = x & 0xff;
            if (v == 0) {
                return Optional.empty();
            }
            if ((v < 0x20 && v != '\t' && v != '\n' && v != '\r') || v == 0x7f) {
                bad++;
            }
        }
        if (b.length == 0 || bad * 20 > b.length) {
            return Optional.empty();
        }
        try {
            return Optional.of(StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    @Test
    void percentDecodesOnlyEscapesAndKeepsPlus() {
        assertEquals(Optional.of("a+b c/é"), Decoders.percent("a+b%20c%2F%C3%A9"));
        assertTrue(Decoders.percent("100% sure").isEmpty());
    }

    @Test
    void unescape() {
        assertEquals(Optional.of("{\"k\":\"AB\n\"}"), Decoders.unescape("{\\\"k\\\":\\\"\\u0041\\x42\\n\\\"}"));
        assertTrue(Decoders.unescape("C:\\Program Files").isEmpty());
    }
}

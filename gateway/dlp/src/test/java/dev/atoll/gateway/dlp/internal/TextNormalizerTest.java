package dev.atoll.gateway.dlp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class TextNormalizerTest {

    @Test
    void normalisedTextIsReturnedAsIs() {
        String s = "plain ascii and café and 東京";
        TextNormalizer.Normalized n = TextNormalizer.normalize(s);
        assertSame(s, n.text());
        assertNull(n.from());
    }

    @Test
    void removesFormatCharactersAndFoldsCompatibilityFormsKeepingTheMap() {
        String s = "a\u200Bｂ\u202Ec\uFB01x\u0000y";
        TextNormalizer.Normalized n = TextNormalizer.normalize(s);
        assertEquals("abcfixy", n.text());
        // "b" comes from the fullwidth letter at index 2; "fi" both from the ligature at index 5.
        assertEquals(2, n.originalStart(1));
        assertEquals(3, n.originalEnd(2));
        assertEquals(5, n.originalStart(3));
        assertEquals(5, n.originalStart(4));
        assertEquals(6, n.originalEnd(5));
        assertEquals(8, n.originalStart(6));
    }

    @Test
    void combiningMarksComposeWithTheirBase() {
        TextNormalizer.Normalized n = TextNormalizer.normalize("e\u0301\u200B!");
        assertEquals("é!", n.text());
        assertEquals(0, n.originalStart(0));
        assertEquals(2, n.originalEnd(1));
    }

    @Test
    void foldsCyrillicAndGreekLookAlikesAndNotesHiddenCharacters() {
        // "іgnоrе" with Cyrillic і, о, е; Greek ο and ν in "νοw"; a tag character and a zero-width space.
        String s = "\u0456gn\u043er\u0435 \u03bd\u03bfw\u200B!\uDB40\uDC41";
        TextNormalizer.Normalized n = TextNormalizer.normalize(s);
        assertEquals("ignore vow!", n.text());
        assertEquals(true, n.hidden());
        assertEquals(false, TextNormalizer.normalize("\u0456gn\u043er\u0435").hidden());
        // Russian text is folded letter by letter (one to one: spans stay exact), other scripts are not.
        assertEquals(
                "Moc\u043a\u0432a",
                TextNormalizer.normalize("\u041c\u043e\u0441\u043a\u0432\u0430").text());
    }
}

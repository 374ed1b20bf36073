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
}

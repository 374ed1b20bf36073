package dev.atoll.gateway.registry.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** TR39-style skeletons: look-alike names collide, different names do not. */
class SkeletonTest {

    @ParameterizedTest
    @CsvSource({
        "read_file, read_fi1e",
        "read_file, rеad_file", // Cyrillic e
        "paypal, pаypаl", // Cyrillic a
        "google, g00gle",
        "send_mail, send_rnail",
        "download, dovvnload",
        "delete, de\u0301lete", // combining acute accent
        "search, search\u200b", // zero-width space
        "get_data, get-data",
        "list_tools, ｌｉｓｔ_ｔｏｏｌｓ", // fullwidth
        "iota, ιοτα", // Greek
    })
    void lookAlikesCollide(String a, String b) {
        assertTrue(Skeleton.confusable(a, b), a + " / " + b + ": " + Skeleton.of(a) + " vs " + Skeleton.of(b));
    }

    @ParameterizedTest
    @CsvSource({
        "read_file, write_file",
        "send_mail, send_email",
        "word_count, word_counts",
        "slugify, slugify",
    })
    void differentNamesDoNot(String a, String b) {
        assertFalse(Skeleton.confusable(a, b), a + " / " + b);
    }
}

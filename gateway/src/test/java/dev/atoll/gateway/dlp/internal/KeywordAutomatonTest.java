package dev.atoll.gateway.dlp.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeywordAutomatonTest {

    /** Every (keyword, end) pair by brute force, in the automaton's order (by end, then by id order of output). */
    private static List<int[]> naive(List<String> keywords, String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        List<int[]> out = new ArrayList<>();
        for (int end = 1; end <= text.length(); end++) {
            for (int id = 0; id < keywords.size(); id++) {
                String k = keywords.get(id);
                if (end >= k.length() && lower.startsWith(k, end - k.length())) {
                    out.add(new int[] {id, end});
                }
            }
        }
        return out;
    }

    private static List<int[]> pairs(int[] flat) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < flat.length; i += 2) {
            out.add(new int[] {flat[i], flat[i + 1]});
        }
        out.sort((a, b) -> a[1] != b[1] ? Integer.compare(a[1], b[1]) : Integer.compare(a[0], b[0]));
        return out;
    }

    @Test
    void findsEveryOverlappingOccurrenceCaseInsensitively() {
        List<String> kw = List.of("he", "she", "his", "hers", "ghp_", "-----begin", "@", "sk_live_", "sk-ant-", "sk-");
        String text = "uSHErs said HIS ghp_x and SK-ANT-sk_live_ @@ -----BEGIN him";
        assertEquals(naive(kw, text), pairs(new KeywordAutomaton(kw).findAll(text)));
    }

    @Test
    void matchesBruteForceOnRandomText() {
        List<String> kw = List.of("ab", "abc", "bca", "cab", "a", "aaa", "b-c", "c_a");
        Random r = new Random(42);
        KeywordAutomaton ac = new KeywordAutomaton(kw);
        for (int round = 0; round < 200; round++) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < 60; i++) {
                s.append("abcABC-_é ".charAt(r.nextInt(10)));
            }
            assertEquals(naive(kw, s.toString()), pairs(ac.findAll(s)));
        }
    }

    @Test
    void rejectsUpperCaseKeywords() {
        assertThrows(IllegalArgumentException.class, () -> new KeywordAutomaton(List.of("AKIA")));
    }

    private static void assertEquals(List<int[]> expected, List<int[]> actual) {
        org.junit.jupiter.api.Assertions.assertEquals(expected.size(), actual.size(), "number of hits");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "hit " + i);
        }
    }
}

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
    void matchesBruteForceWhenKeywordPrefixesOverlap() {
        // Text made of keyword fragments, so that the automaton keeps entering and leaving prefixes,
        // falls back through failure links, and meets keywords right after a skipped position.
        List<String> kw = List.of(
                "password",
                "passwd",
                "pass",
                "ssw",
                "ghp_",
                "gh",
                "-----begin",
                "--",
                "://",
                "@",
                "akia",
                "kia",
                "hooks.slack.com",
                "slack",
                "xoxb-",
                "o",
                "eyj",
                "yj");
        String[] fragments = {
            "pa", "ss", "w", "ord", "d", "gh", "p_", "-", "--", "---", "begin", ":", "/", "//", "@", "ak", "ia", "ki",
            "a", "hooks.", "slack", ".com", "xo", "xb-", "e", "yj", "Y", "J", " ", "é", "\u200b", "PASS", "\n"
        };
        Random r = new Random(7);
        KeywordAutomaton ac = new KeywordAutomaton(kw);
        KeywordAutomaton noSingles =
                new KeywordAutomaton(kw.stream().filter(k -> k.length() > 1).toList());
        for (int round = 0; round < 2000; round++) {
            StringBuilder s = new StringBuilder();
            int parts = r.nextInt(30);
            for (int i = 0; i < parts; i++) {
                s.append(fragments[r.nextInt(fragments.length)]);
            }
            String text = s.toString();
            assertEquals(naive(kw, text), pairs(ac.findAll(text)));
            assertEquals(naive(kw.stream().filter(k -> k.length() > 1).toList(), text), pairs(noSingles.findAll(text)));
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

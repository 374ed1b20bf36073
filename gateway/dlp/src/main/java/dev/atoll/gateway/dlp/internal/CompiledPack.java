package dev.atoll.gateway.dlp.internal;

import dev.atoll.gateway.dlp.Rule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The engine's rules, compiled: patterns, the keyword automaton and the trigger tables. Immutable. */
public final class CompiledPack {
    final CompiledRule[] rules;
    final KeywordAutomaton automaton;
    /** The scanner's per-character table for this automaton (see {@link Scanner#passTable}). */
    final int[] passTable;
    /** Per keyword id, the rules it triggers. */
    final int[][] keywordRules;
    /** Rules triggered by digit runs, and the least digits any of them needs (MAX_VALUE: none). */
    final int[] digitRules;

    final int minDigits;
    /** Rules with no trigger: run over every text (should be none in a good pack). */
    final int[] alwaysRules;
    /** Rules run over the original text of a string that holds invisible (format) characters. */
    final int[] invisibleRules;

    /**
     * @param rules the enabled rules
     */
    public CompiledPack(List<Rule> rules) {
        this.rules = new CompiledRule[rules.size()];
        Map<String, List<Integer>> byKeyword = new LinkedHashMap<>();
        List<Integer> digits = new ArrayList<>();
        List<Integer> always = new ArrayList<>();
        List<Integer> invisible = new ArrayList<>();
        int min = Integer.MAX_VALUE;
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            this.rules[i] = new CompiledRule(i, r);
            if (r.invisible()) {
                invisible.add(i);
            } else if (r.digits() > 0) {
                digits.add(i);
                min = Math.min(min, r.digits());
            } else if (r.keywords().isEmpty()) {
                always.add(i);
            }
            for (String k : r.keywords()) {
                byKeyword.computeIfAbsent(k, x -> new ArrayList<>()).add(i);
            }
        }
        List<String> keywords = new ArrayList<>(byKeyword.keySet());
        this.automaton = new KeywordAutomaton(keywords);
        this.passTable = Scanner.passTable(automaton);
        this.keywordRules = new int[keywords.size()][];
        for (int k = 0; k < keywords.size(); k++) {
            this.keywordRules[k] = Objects.requireNonNull(byKeyword.get(keywords.get(k)), "keyword").stream()
                    .mapToInt(Integer::intValue)
                    .toArray();
        }
        this.digitRules = digits.stream().mapToInt(Integer::intValue).toArray();
        this.minDigits = min;
        this.alwaysRules = always.stream().mapToInt(Integer::intValue).toArray();
        this.invisibleRules = invisible.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * @param index a rule index
     * @return the rule
     */
    public Rule rule(int index) {
        return rules[index].rule;
    }

    /**
     * @return the number of rules
     */
    public int size() {
        return rules.length;
    }
}

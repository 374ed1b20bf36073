package dev.atoll.gateway.dlp.internal;

import com.google.re2j.Pattern;
import dev.atoll.gateway.dlp.Rule;
import dev.atoll.gateway.dlp.Validator;
import org.jspecify.annotations.Nullable;

/** A rule with its patterns compiled. */
final class CompiledRule {
    final int index;
    final Rule rule;
    /** Text pattern, or null for a keyPattern-only rule. */
    final @Nullable Pattern pattern;
    /** Member-name pattern, or null. */
    final @Nullable Pattern keyPattern;
    /** Value pattern for keyPattern matches, or null (the whole value). */
    final @Nullable Pattern valuePattern;

    final Validator[] validators;
    final String[] requires;

    CompiledRule(int index, Rule rule) {
        this.index = index;
        this.rule = rule;
        this.pattern = rule.pattern().map(Pattern::compile).orElse(null);
        this.keyPattern = rule.keyPattern().map(Pattern::compile).orElse(null);
        this.valuePattern = rule.valuePattern().map(Pattern::compile).orElse(null);
        this.validators = rule.validators().toArray(Validator[]::new);
        this.requires = rule.requires().toArray(String[]::new);
    }

    boolean valid(String value) {
        for (Validator v : validators) {
            if (!Checks.test(v, value)) {
                return false;
            }
        }
        return true;
    }
}

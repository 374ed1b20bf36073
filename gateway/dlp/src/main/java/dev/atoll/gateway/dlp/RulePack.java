package dev.atoll.gateway.dlp;

import dev.atoll.gateway.dlp.internal.RulePackReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A named list of rules with unique ids. The built-in pack ({@link #builtIn()}) is
 * {@code dev/atoll/gateway/dlp/rules.json} in this module; operators add their own packs in the same
 * JSON format ({@link #read(Path)}, described in {@code docs/dlp.md}).
 *
 * @param source where the pack came from (a path or {@code builtin}), for error messages
 * @param rules the rules, ids unique
 */
public record RulePack(String source, List<Rule> rules) {

    private static final String BUILT_IN = "rules.json";

    /** Copies the list and rejects duplicate ids. */
    public RulePack {
        Objects.requireNonNull(source, "source");
        rules = List.copyOf(rules);
        Set<String> ids = new HashSet<>();
        for (Rule r : rules) {
            if (!ids.add(r.id())) {
                throw new DlpException(source + ": rule id '" + r.id() + "' is defined twice");
            }
        }
    }

    /**
     * @return the rule pack shipped with Atoll (parsed once per call; the engine keeps its own copy)
     */
    public static RulePack builtIn() {
        try (InputStream in = RulePack.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new DlpException("the built-in rule pack " + BUILT_IN + " is missing from the module");
            }
            return parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), "builtin");
        } catch (IOException e) {
            throw new DlpException("cannot read the built-in rule pack: " + e.getMessage(), e);
        }
    }

    /**
     * @param json a rule pack in JSON ({@code {"rules": [...]}})
     * @param source a name for error messages
     * @return the pack
     * @throws DlpException if the JSON or a rule is invalid (the message names the rule and field)
     */
    public static RulePack parse(String json, String source) {
        return new RulePack(source, RulePackReader.read(json, source));
    }

    /**
     * @param file a rule pack file in JSON
     * @return the pack
     * @throws DlpException if the file cannot be read or is invalid
     */
    public static RulePack read(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new DlpException("cannot read rule pack " + file + ": " + e.getMessage(), e);
        }
    }
}

package dev.atoll.runtime;

import java.util.Locale;
import java.util.Optional;

/** The guest languages a tool can be written in. */
public enum Language {
    /** JavaScript (ES module), run by GraalJS. */
    JS("js"),
    /** Python 3.12, run by GraalPy: a module defining {@code TOOL} and {@code main(args, env)}. */
    PYTHON("python");

    private final String id;

    Language(String id) {
        this.id = id;
    }

    /** The GraalVM language id, e.g. {@code js}. */
    public String id() {
        return id;
    }

    /**
     * The language a file name implies: {@code .mjs}/{@code .js} for JS, {@code .py} for Python.
     *
     * @param fileName a file name such as {@code word_count.mjs}
     * @return the language, or empty if the extension is not one Atoll knows
     */
    public static Optional<Language> ofFileName(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".mjs") || lower.endsWith(".js")) {
            return Optional.of(JS);
        }
        if (lower.endsWith(".py")) {
            return Optional.of(PYTHON);
        }
        return Optional.empty();
    }
}

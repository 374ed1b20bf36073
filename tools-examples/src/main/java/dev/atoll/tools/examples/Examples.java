package dev.atoll.tools.examples;

import dev.atoll.runtime.ToolSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The example tools bundled with Atoll (the files under {@code tools-examples/js/}). */
public final class Examples {

    /** File names of the bundled JS examples. */
    public static final List<String> JS = List.of("word_count.mjs", "json_pointer.mjs", "slugify.mjs");

    private Examples() {
    }

    /**
     * Reads every bundled example.
     *
     * @return the sources, in {@link #JS} order
     */
    public static List<ToolSource> all() {
        List<ToolSource> out = new ArrayList<>();
        for (String name : JS) {
            out.add(read(name));
        }
        return out;
    }

    /**
     * Reads one bundled example.
     *
     * @param fileName one of {@link #JS}
     * @return its source
     * @throws IllegalArgumentException if there is no such example
     */
    public static ToolSource read(String fileName) {
        try (InputStream in = Examples.class.getResourceAsStream("js/" + fileName)) {
            if (in == null) {
                throw new IllegalArgumentException("no example tool named " + fileName);
            }
            return ToolSource.js(fileName, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

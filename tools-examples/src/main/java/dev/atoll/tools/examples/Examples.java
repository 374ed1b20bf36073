package dev.atoll.tools.examples;

import dev.atoll.runtime.ToolSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The example tools bundled with Atoll (the files under {@code tools-examples/js/} and {@code python/}). */
public final class Examples {

    /** File names of the bundled JS examples. */
    public static final List<String> JS = List.of("word_count.mjs", "json_pointer.mjs", "slugify.mjs");

    /**
     * File names of the bundled Python examples. They are not deployed by default: the first Python
     * tool starts GraalPy, which costs seconds, and a gateway without Python tools never pays it.
     */
    public static final List<String> PYTHON = List.of("word_count.py", "csv_to_json.py");

    /**
     * File names (under {@code conformance/}) of the fixture tools the MCP conformance suite calls.
     * They are not deployed by default.
     */
    public static final List<String> CONFORMANCE = List.of(
            "test_simple_text.mjs",
            "test_image_content.mjs",
            "test_audio_content.mjs",
            "test_embedded_resource.mjs",
            "test_multiple_content_types.mjs",
            "test_error_handling.mjs",
            "test_tool_with_logging.mjs",
            "conformance_resources.mjs",
            "test_tool_with_progress.mjs",
            "test_sampling.mjs",
            "test_elicitation.mjs",
            "test_elicitation_sep1034_defaults.mjs",
            "test_elicitation_sep1330_enums.mjs");

    private Examples() {}

    /**
     * Reads every conformance fixture tool.
     *
     * @return the sources, in {@link #CONFORMANCE} order
     */
    public static List<ToolSource> conformance() {
        List<ToolSource> out = new ArrayList<>();
        for (String name : CONFORMANCE) {
            out.add(read("conformance/" + name));
        }
        return out;
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
     * Reads every bundled Python example.
     *
     * @return the sources, in {@link #PYTHON} order
     */
    public static List<ToolSource> python() {
        List<ToolSource> out = new ArrayList<>();
        for (String name : PYTHON) {
            out.add(read(name));
        }
        return out;
    }

    /**
     * Reads one bundled example.
     *
     * @param fileName one of {@link #JS} or {@link #PYTHON}, or {@code conformance/} and one of
     *     {@link #CONFORMANCE}
     * @return its source
     * @throws IllegalArgumentException if there is no such example
     */
    public static ToolSource read(String fileName) {
        boolean python = fileName.endsWith(".py");
        try (InputStream in = Examples.class.getResourceAsStream((python ? "python/" : "js/") + fileName)) {
            if (in == null) {
                throw new IllegalArgumentException("no example tool named " + fileName);
            }
            String name = fileName.substring(fileName.lastIndexOf('/') + 1);
            String code = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return python ? ToolSource.python(name, code) : ToolSource.js(name, code);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

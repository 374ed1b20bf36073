package dev.atoll.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docs/cli.md's reference is every command's {@code --help} output. Run with
 * {@code -Datoll.cli.docs.write=true} to rewrite it after changing a command.
 */
class CliDocsTest {

    static final String MARKER = "<!-- generated from the commands' --help by CliDocsTest";
    static final Path DOC = Path.of("../../docs/cli.md");

    @Test
    void docsQuoteEveryCommandsHelp() throws Exception {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        int at = doc.indexOf(MARKER);
        int lineEnd = doc.indexOf('\n', at) + 1;
        StringBuilder generated = new StringBuilder();
        render(Main.commandLine(), generated);
        String expected = doc.substring(0, lineEnd) + generated;
        if (Boolean.getBoolean("atoll.cli.docs.write")) {
            Files.writeString(DOC, expected, StandardCharsets.UTF_8);
        }
        assertEquals(
                expected,
                doc,
                "docs/cli.md differs from the --help output; rerun CliDocsTest with " + "-Datoll.cli.docs.write=true");
    }

    private static void render(CommandLine cl, StringBuilder out) {
        if (cl.getCommand() instanceof CommandLine.HelpCommand) {
            return;
        }
        StringWriter w = new StringWriter();
        cl.usage(new PrintWriter(w));
        out.append('\n')
                .append("### ")
                .append(cl.getCommandSpec().qualifiedName())
                .append("\n\n```text\n")
                .append(w.toString().stripTrailing())
                .append("\n```\n");
        cl.getSubcommands().values().stream().distinct().forEach(sub -> render(sub, out));
    }
}

package dev.atoll.gateway.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A command that only groups subcommands ({@code atoll tools}, {@code tokens}, {@code audit},
 * {@code upstream}): {@code -h} prints its help, and run without a subcommand it is a usage error
 * (exit 2) that names its subcommands, read from the command's own model so the message cannot
 * drift from what exists.
 */
abstract class CommandGroup implements Callable<Integer> {

    @Spec
    @SuppressWarnings("NullAway.Init") // picocli injects the spec before call()
    CommandSpec spec;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "show this help and exit")
    boolean help;

    @Override
    public Integer call() {
        throw new ParameterException(
                spec.commandLine(),
                spec.name() + " needs a command: "
                        + String.join(", ", spec.subcommands().keySet()));
    }
}

package dev.atoll.gateway.cli;

import dev.atoll.gateway.GatewayException;
import dev.atoll.runtime.AtollRuntimeException;
import dev.atoll.runtime.RuntimeInfo;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Entry point of {@code ./atoll} (picocli). Exit codes (docs/cli.md): 0 done ({@code run}: the call
 * ended {@code ok}); 1 the gateway refused, or the call or check ended otherwise; 2 the command
 * line is wrong, a file cannot be read, the gateway cannot start or its admin API cannot be reached.
 */
public final class Main {

    /** Exit status: done. */
    static final int OK = 0;
    /** Exit status: refused by the gateway, or a non-ok outcome. */
    static final int REFUSED = 1;
    /** Exit status: usage error, unreadable file, gateway unreachable or unable to start. */
    static final int USAGE = 2;

    /** Width of the help text, fixed so that docs/cli.md can quote it. */
    static final int HELP_WIDTH = 100;

    private Main() {}

    /** The top-level command. */
    @Command(
            name = "atoll",
            synopsisSubcommandLabel = "COMMAND",
            description = {
                "Atoll: run JavaScript and Python tools in GraalVM isolates and serve them, with "
                        + "upstream MCP servers, through one MCP gateway.",
                ""
            },
            subcommands = {
                RunCommand.class,
                InfoCommand.class,
                Serve.class,
                ToolCommands.Deploy.class,
                ToolCommands.class,
                AuditCommands.class,
                TokenCommands.class,
                UpstreamCommands.class,
                FleetCommands.class,
                TailCommand.class,
                dev.atoll.loadtest.LoadTestCommand.class,
                AotTraining.class,
                CommandLine.HelpCommand.class
            },
            footer = {
                "",
                "Exit status: 0 done; 1 refused by the gateway or a non-ok outcome; 2 usage error, "
                        + "unreadable file, gateway unreachable or unable to start.",
                "Run 'atoll COMMAND --help' for a command's options."
            })
    static final class Atoll implements Callable<Integer> {
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
            throw new ParameterException(spec.commandLine(), "a command is needed");
        }
    }

    /**
     * Runs the CLI.
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        PrintStream out =
                new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        int code = run(args, out, System.err);
        out.flush();
        System.err.flush();
        // halt, not exit: Truffle's shutdown hook would wait for a guest thread that never took its
        // cancellation (docs/security.md, known gaps); the CLI has nothing else to clean up.
        Runtime.getRuntime().halt(code);
    }

    /**
     * Runs the CLI without exiting.
     *
     * @param args command-line arguments
     * @param out standard output
     * @param err standard error
     * @return the exit code
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        PrintWriter o = new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter e = new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        CommandLine cl = commandLine();
        cl.setOut(o);
        cl.setErr(e);
        if (args.length == 0) {
            cl.usage(e);
            e.flush();
            return USAGE;
        }
        try {
            return cl.execute(args);
        } finally {
            o.flush();
            e.flush();
        }
    }

    /** The configured command tree (help text without colours, fixed width, one error style). */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Atoll());
        cl.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
        cl.setUsageHelpWidth(HELP_WIDTH);
        cl.setUsageHelpAutoWidth(false);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExpandAtFiles(false); // @FILE is an option value here (--args @FILE), not an argument file
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            PrintWriter err = line.getErr();
            if (ex instanceof AtollRuntimeException || ex instanceof GatewayException) {
                err.println("atoll: " + ex.getMessage());
                return USAGE;
            }
            throw ex;
        });
        return cl;
    }

    private static int usageError(ParameterException ex, String[] args) {
        CommandLine line = ex.getCommandLine();
        PrintWriter err = line.getErr();
        err.println("atoll: " + ex.getMessage());
        if (ex instanceof UnmatchedArgumentException u) {
            u.printSuggestions(err);
        }
        err.println("run '" + line.getCommandSpec().qualifiedName() + " --help' for usage");
        return USAGE;
    }

    /** Logs on stderr whether the optimizing runtime is active and, if not, why. */
    static void announce(RuntimeInfo info, PrintWriter err) {
        if (info.optimizing()) {
            err.println("atoll: " + info.reason());
        } else {
            err.println("atoll: optimizing runtime OFF (guest code is interpreted, much slower): " + info.reason());
        }
    }
}

package dev.atoll.gateway.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A command that talks to a running gateway's admin API: the shared options ({@code --admin-url},
 * {@code --token}, {@code --json}) and exit codes (0 done, 1 refused by the gateway, 2 usage error or
 * the admin API cannot be reached).
 */
abstract class AdminCommand implements Callable<Integer> {

    @Spec
    @SuppressWarnings("NullAway.Init") // picocli injects the spec before call()
    CommandSpec spec;

    @Option(
            names = "--admin-url",
            paramLabel = "URL",
            description = "the admin API (default: $ATOLL_ADMIN_URL, else http://127.0.0.1:8081)")
    @Nullable
    String adminUrl;

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            description = "the admin bearer token (default: $ATOLL_ADMIN_TOKEN)")
    @Nullable
    String token;

    @Option(names = "--json", description = "print the admin API's JSON instead of text (for scripts)")
    boolean json;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "show this help and exit")
    boolean help;

    @Override
    public final Integer call() {
        String t = token != null ? token.trim() : AdminClient.envOr("ATOLL_ADMIN_TOKEN", "");
        if (t.isEmpty()) {
            throw usage("no admin token: set ATOLL_ADMIN_TOKEN or pass --token (printed at the gateway's first start)");
        }
        AdminClient client = new AdminClient(
                adminUrl != null ? adminUrl.trim() : AdminClient.envOr("ATOLL_ADMIN_URL", "http://127.0.0.1:8081"), t);
        return client.calling(err(), () -> run(client));
    }

    /**
     * The command's work.
     *
     * @param c the admin API
     * @return the exit status
     * @throws IOException when the admin API cannot be reached
     * @throws InterruptedException when interrupted
     */
    abstract int run(AdminClient c) throws IOException, InterruptedException;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** A usage error of this command (exit status 2, message and a pointer to its help). */
    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** Prints the reply's JSON (for {@code --json}) or refuses; 0 or 1. */
    int printJson(AdminClient c, AdminClient.Reply r) {
        if (!r.ok()) {
            return c.refused(r, err());
        }
        out().println(r.body().toPrettyString());
        return 0;
    }
}

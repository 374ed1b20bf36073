package dev.atoll.gateway.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.runtime.RuntimeInfo;
import dev.atoll.runtime.ToolRuntime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code atoll info}: which GraalVM runtime runs guest code, and the default limits. */
@Command(
        name = "info",
        description = "Print (as JSON) which GraalVM runtime runs guest code and the default " + "per-call limits.")
final class InfoCommand implements Callable<Integer> {

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
        try (ToolRuntime runtime = ToolRuntime.builder().build()) {
            RuntimeInfo info = runtime.info();
            Main.announce(info, spec.commandLine().getErr());
            ObjectNode n = new ObjectMapper().createObjectNode();
            n.put("implementation", info.implementationName());
            n.put("graalVersion", info.graalVersion());
            n.put("optimizing", info.optimizing());
            n.put("reason", info.reason());
            n.put("java", Runtime.version().toString());
            var d = runtime.defaults();
            n.putObject("defaultLimits")
                    .put("cpuMs", d.cpu().toMillis())
                    .put("wallMs", d.wall().toMillis())
                    .put("memoryMb", d.memoryBytes() >> 20)
                    .put("outputKb", d.outputBytes() >> 10)
                    .put("logKb", d.logBytes() >> 10)
                    .put("logEntries", d.logEntries());
            spec.commandLine().getOut().println(n.toPrettyString());
            return Main.OK;
        }
    }
}

package dev.atoll.gateway.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.runtime.AtollRuntimeException;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.RuntimeInfo;
import dev.atoll.runtime.ToolRuntime;
import dev.atoll.runtime.ToolSource;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry point of {@code ./atoll}. Exit codes: 0 the call ended {@code ok}; 1 it ended with another
 * outcome (still printed as JSON); 2 the command line is wrong or a file cannot be read.
 */
public final class Main {

    static final String USAGE = """
            usage: atoll <command> [options]

            commands:
              run FILE [--args JSON | --args @FILE] [--pretty] [--secret NAME=VALUE|NAME=@FILE ...]
                  [--allow-http] [--allow-address ADDR|CIDR ...]
                  run one call of the tool in FILE (.mjs/.js or .py) in a fresh sandboxed context and print
                  {"outcome", "result" | "error", "logs", "receipt"} as JSON; exit 0 only for "ok"
              serve [--port N] [--admin-port N] [--host ADDR] [--data DIR] [--config FILE]
                    [--set KEY=VALUE ...]
                  start the MCP gateway (MCP on --port, default 8080; admin API on --admin-port,
                  default 8081; both on 127.0.0.1) with the example tools deployed; prints the URLs,
                  tokens and a ready-to-paste call. Tokens come from ATOLL_MCP_TOKEN and
                  ATOLL_ADMIN_TOKEN, or are generated on first start and kept in the data dir
              deploy FILE
                  upload a tool file to the running gateway: a new version, quarantined until approved
              tools list | show NAME | changes NAME --version V | approve NAME [--version V]
                    | reject NAME --version V | rollback NAME --to V | disable NAME | enable NAME
                    | delete NAME
                  manage tool versions (approve shows what changed and flags poisoning signs first
                  with 'changes')
              audit verify | tail [--limit N] | export [--tool T] [--tenant T] [--from T] [--to T] | head
                  check the hash chain (names the first broken record), read records as JSON lines
              tokens list | create [--kind MCP|ADMIN] [--tenant T] [--tools a,b|*] | revoke ID
              upstream add NAME [--image IMG | --sandbox] [--allow-host H ...] [--env K=V ...]
                  [--volume NAME:/path ...] [--memory BYTES] [--pids N] -- CMD ARGS...
              upstream list | approve NAME | remove NAME | logs NAME [--lines N]
                  stateful stdio MCP servers in a sandbox (bubblewrap, or Docker with --image);
                  new ones are quarantined until approved; their tools are NAME__tool
                  the admin commands read ATOLL_ADMIN_URL (default http://127.0.0.1:8081) and
                  ATOLL_ADMIN_TOKEN, or --admin-url and --token
              info
                  print which GraalVM runtime runs guest code and the default limits
              help
                  print this text
            """;

    private Main() {
    }

    /**
     * Runs the CLI.
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
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
        if (args.length == 0 || List.of("help", "-h", "--help").contains(args[0])) {
            (args.length == 0 ? err : out).print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        try {
            return switch (args[0]) {
                case "run" -> runCommand(List.of(args).subList(1, args.length), out, err);
                case "info" -> infoCommand(out, err);
                case "serve" -> Serve.run(List.of(args).subList(1, args.length), out, err);
                case "upstream" -> UpstreamCommands.run(List.of(args).subList(1, args.length), out, err);
                case "deploy", "tools", "audit", "tokens" ->
                        AdminCommands.run(args[0], List.of(args).subList(1, args.length), out, err);
                default -> usage(err, "unknown command '" + args[0] + "'");
            };
        } catch (UsageException e) {
            return usage(err, e.getMessage());
        } catch (AtollRuntimeException | dev.atoll.gateway.GatewayException e) {
            err.println("atoll: " + e.getMessage());
            return 2;
        }
    }

    private static int runCommand(List<String> args, PrintStream out, PrintStream err) {
        String file = null;
        String argsJson = "{}";
        boolean pretty = false;
        var policy = dev.atoll.host.bindings.EgressPolicy.builder();
        java.util.Map<String, String> secrets = new java.util.LinkedHashMap<>();
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty()) {
            String a = rest.removeFirst();
            switch (a) {
                case "--args" -> {
                    if (rest.isEmpty()) {
                        throw new UsageException("--args needs a JSON value or @FILE");
                    }
                    argsJson = rest.removeFirst();
                    if (argsJson.startsWith("@")) {
                        argsJson = readText(Path.of(argsJson.substring(1)), "--args file");
                    }
                }
                case "--pretty" -> pretty = true;
                case "--allow-http" -> policy.allowHttp(true).httpPorts(80, 8080);
                case "--allow-address" -> {
                    if (rest.isEmpty()) {
                        throw new UsageException("--allow-address needs an address or CIDR");
                    }
                    try {
                        policy.allowAddress(rest.removeFirst());
                    } catch (dev.atoll.host.bindings.HostBindingsException e) {
                        throw new UsageException(e.getMessage());
                    }
                }
                case "--secret" -> {
                    String kv = rest.isEmpty() ? "" : rest.removeFirst();
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new UsageException("--secret needs NAME=VALUE or NAME=@FILE");
                    }
                    String value = kv.substring(eq + 1);
                    secrets.put(kv.substring(0, eq), value.startsWith("@")
                            ? readText(Path.of(value.substring(1)), "--secret file").strip() : value);
                }
                default -> {
                    if (a.startsWith("-")) {
                        throw new UsageException("unknown option '" + a + "' for run");
                    }
                    if (file != null) {
                        throw new UsageException("run takes one tool file, got '" + file + "' and '" + a + "'");
                    }
                    file = a;
                }
            }
        }
        if (file == null) {
            throw new UsageException("run needs a tool file: atoll run FILE [--args JSON]");
        }
        ToolSource source;
        try {
            source = ToolSource.read(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new AtollRuntimeException("no such file: " + file);
        } catch (IOException | IllegalArgumentException e) {
            throw new AtollRuntimeException(e.getMessage());
        }
        try (var fetch = dev.atoll.host.bindings.FetchBinding.builder().policy(policy.build())
                .secrets(dev.atoll.host.bindings.SecretSource.of(secrets)).build();
                ToolRuntime runtime = ToolRuntime.builder().binding(fetch).build()) {
            announce(runtime.info(), err);
            CallResult result = runtime.run(source, argsJson);
            ObjectMapper mapper = new ObjectMapper();
            if (pretty) {
                mapper.enable(SerializationFeature.INDENT_OUTPUT);
            }
            out.println(mapper.writeValueAsString(result.toJson()));
            return result.ok() ? 0 : 1;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AtollRuntimeException("cannot write the result: " + e.getOriginalMessage());
        }
    }

    private static int infoCommand(PrintStream out, PrintStream err) {
        try (ToolRuntime runtime = ToolRuntime.builder().build()) {
            RuntimeInfo info = runtime.info();
            announce(info, err);
            ObjectNode n = new ObjectMapper().createObjectNode();
            n.put("implementation", info.implementationName());
            n.put("graalVersion", info.graalVersion());
            n.put("optimizing", info.optimizing());
            n.put("reason", info.reason());
            n.put("java", Runtime.version().toString());
            var d = runtime.defaults();
            n.putObject("defaultLimits").put("cpuMs", d.cpu().toMillis()).put("wallMs", d.wall().toMillis())
                    .put("memoryMb", d.memoryBytes() >> 20).put("outputKb", d.outputBytes() >> 10)
                    .put("logKb", d.logBytes() >> 10).put("logEntries", d.logEntries());
            out.println(n.toPrettyString());
            return 0;
        }
    }

    /** Logs on stderr whether the optimizing runtime is active and, if not, why. */
    static void announce(RuntimeInfo info, PrintStream err) {
        if (info.optimizing()) {
            err.println("atoll: " + info.reason());
        } else {
            err.println("atoll: optimizing runtime OFF (guest code is interpreted, much slower): " + info.reason());
        }
    }

    private static String readText(Path p, String what) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AtollRuntimeException("cannot read " + what + " " + p + ": " + e.getMessage());
        }
    }

    private static int usage(PrintStream err, String message) {
        err.println("atoll: " + message);
        err.println("run 'atoll help' for usage");
        return 2;
    }

    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}

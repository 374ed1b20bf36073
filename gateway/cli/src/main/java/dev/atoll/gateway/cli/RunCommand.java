package dev.atoll.gateway.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.atoll.host.bindings.EgressPolicy;
import dev.atoll.host.bindings.FetchBinding;
import dev.atoll.host.bindings.HostBindingsException;
import dev.atoll.host.bindings.SecretSource;
import dev.atoll.runtime.AtollRuntimeException;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.ToolRuntime;
import dev.atoll.runtime.ToolSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atoll run FILE}: one call of a tool file in a fresh sandboxed context, printed as JSON. */
@Command(
        name = "run",
        description = {
            "Run one call of the tool in FILE (.mjs/.js or .py) in a fresh sandboxed "
                    + "context and print {\"outcome\", \"result\" | \"error\", \"logs\", \"receipt\"} as JSON.",
            "Exit status: 0 when the outcome is \"ok\", 1 for any other outcome, 2 for a usage error or an "
                    + "unreadable file."
        })
final class RunCommand implements Callable<Integer> {

    @Spec
    @SuppressWarnings("NullAway.Init") // picocli injects the spec before call()
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the tool file")
    @SuppressWarnings("NullAway.Init") // required: picocli sets it, or parsing fails before run()
    Path file;

    @Option(
            names = "--args",
            paramLabel = "JSON|@FILE",
            defaultValue = "{}",
            description = "the call's arguments as JSON, or @FILE to read them (default: {})")
    @SuppressWarnings("NullAway.Init") // picocli sets its defaultValue when the option is absent
    String args;

    @Option(names = "--pretty", description = "indent the JSON")
    boolean pretty;

    @Option(
            names = "--secret",
            paramLabel = "NAME=VALUE|NAME=@FILE",
            description = "a secret the tool may use in fetch (repeatable)")
    List<String> secrets = new ArrayList<>();

    @Option(names = "--allow-http", description = "let fetch use plain http on ports 80 and 8080")
    boolean allowHttp;

    @Option(
            names = "--allow-address",
            paramLabel = "ADDR|CIDR",
            description = "let fetch reach this otherwise private address (repeatable)")
    List<String> allowAddresses = new ArrayList<>();

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "show this help and exit")
    boolean help;

    @Override
    public Integer call() {
        String argsJson = args.startsWith("@") ? readText(Path.of(args.substring(1)), "--args file") : args;
        EgressPolicy.Builder policy = EgressPolicy.builder();
        if (allowHttp) {
            policy.allowHttp(true).httpPorts(80, 8080);
        }
        for (String a : allowAddresses) {
            try {
                policy.allowAddress(a);
            } catch (HostBindingsException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        Map<String, String> secretValues = new LinkedHashMap<>();
        for (String kv : secrets) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(
                        spec.commandLine(), "--secret needs NAME=VALUE or NAME=@FILE, got '" + kv + "'");
            }
            String value = kv.substring(eq + 1);
            secretValues.put(
                    kv.substring(0, eq),
                    value.startsWith("@")
                            ? readText(Path.of(value.substring(1)), "--secret file")
                                    .strip()
                            : value);
        }
        ToolSource source;
        try {
            source = ToolSource.read(file);
        } catch (NoSuchFileException e) {
            throw new AtollRuntimeException("no such file: " + file);
        } catch (IOException | IllegalArgumentException e) {
            throw new AtollRuntimeException(String.valueOf(e.getMessage()));
        }
        try (var fetch = FetchBinding.builder()
                        .policy(policy.build())
                        .secrets(SecretSource.of(secretValues))
                        .build();
                ToolRuntime runtime = ToolRuntime.builder().binding(fetch).build()) {
            Main.announce(runtime.info(), spec.commandLine().getErr());
            CallResult result = runtime.run(source, argsJson);
            ObjectMapper mapper = new ObjectMapper();
            if (pretty) {
                mapper.enable(SerializationFeature.INDENT_OUTPUT);
            }
            spec.commandLine().getOut().println(mapper.writeValueAsString(result.toJson()));
            return result.ok() ? Main.OK : Main.REFUSED;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AtollRuntimeException("cannot write the result: " + e.getOriginalMessage());
        }
    }

    static String readText(Path p, String what) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AtollRuntimeException("cannot read " + what + " " + p + ": " + e.getMessage());
        }
    }
}

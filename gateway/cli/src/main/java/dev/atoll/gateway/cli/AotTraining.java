package dev.atoll.gateway.cli;

import dev.atoll.gateway.Gateway;
import dev.atoll.gateway.GatewayConfig;
import dev.atoll.loadtest.LoadTest;
import dev.atoll.loadtest.LoadTestReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code atoll aot-training} (hidden): the training run of the JVM's ahead-of-time cache (JEP 483 and
 * JEP 515). The {@code atoll} launcher runs it once after a build, under {@code -XX:AOTCacheOutput};
 * the JVM records which classes this run loaded and linked and the profiles of the methods it ran, and
 * writes them to the cache when the run exits. A node started with that cache skips the class loading
 * and starts compiling the hot paths with profiles it already has.
 *
 * <p>The workload is the node's own: a gateway with the default configuration on loopback ports and a
 * throwaway data directory, tools/call over HTTP at 16 concurrent callers for both MCP protocol eras
 * and each example tool, with the background JIT warm-up of the runtime running beside it as it does
 * on a real start. Nothing is kept but the cache.
 */
@Command(
        name = "aot-training",
        hidden = true,
        description = "Run the JVM's AOT-cache training workload (used by the atoll launcher) and exit.")
final class AotTraining implements Callable<Integer> {

    @Spec
    @SuppressWarnings("NullAway.Init") // set by picocli before call()
    CommandSpec spec;

    @Option(
            names = "--seconds",
            paramLabel = "N",
            defaultValue = "30",
            description = "how long to drive calls (default 30)")
    int seconds;

    /** One part of the workload: a tool, its arguments, the protocol era, and its share of the time. */
    private record Part(String tool, String arguments, LoadTest.Protocol protocol, double share) {}

    private static final List<Part> WORKLOAD = List.of(
            new Part("word_count", "{\"text\":\"hello big world\"}", LoadTest.Protocol.STATELESS, 0.5),
            new Part("slugify", "{\"text\":\"Hello, Big World!\"}", LoadTest.Protocol.STATELESS, 0.2),
            new Part(
                    "json_pointer",
                    "{\"document\":{\"a\":[{\"b\":1}]},\"pointer\":\"/a/0/b\"}",
                    LoadTest.Protocol.SESSION,
                    0.15),
            new Part("word_count", "{\"text\":\"hello big world\"}", LoadTest.Protocol.SESSION, 0.15));

    @Override
    public Integer call() throws IOException {
        if (seconds < 1 || seconds > 600) {
            throw new ParameterException(spec.commandLine(), "--seconds must be 1-600, got " + seconds);
        }
        PrintWriter err = spec.commandLine().getErr();
        Path data = Files.createTempDirectory("atoll-aot-training");
        long calls = 0;
        try {
            GatewayConfig config = GatewayConfig.defaults()
                    .with(Map.of(
                            "mcp.port", "0",
                            "admin.port", "0",
                            "data-dir",
                                    com.fasterxml.jackson.databind.node.TextNode.valueOf(data.toString())
                                            .toString(),
                            "http.drain-delay-ms", "0"));
            try (Gateway gateway = Gateway.builder().config(config).start()) {
                String token = Serve.token(gateway, "MCP", "ATOLL_MCP_TOKEN");
                for (Part part : WORKLOAD) {
                    LoadTestReport r = LoadTest.builder()
                            .http(URI.create(gateway.mcpUrl()), token, part.tool())
                            .protocol(part.protocol())
                            .arguments(List.of(part.arguments()))
                            .closed(16, Duration.ofMillis(Math.max(1000, (long) (seconds * 1000 * part.share()))))
                            .build()
                            .run();
                    if (r.calls() > 0 && r.errors() == r.calls()) {
                        err.println("atoll: AOT training: every call of " + part.tool() + " failed; no cache");
                        return Main.REFUSED;
                    }
                    calls += r.calls();
                }
            }
        } finally {
            deleteTree(data);
        }
        err.println("atoll: AOT training: " + calls + " calls in about " + seconds + " s");
        return Main.OK;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}

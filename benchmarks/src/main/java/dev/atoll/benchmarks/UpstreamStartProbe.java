package dev.atoll.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.registry.SandboxKind;
import dev.atoll.gateway.registry.UpstreamLimits;
import dev.atoll.gateway.registry.UpstreamSpec;
import dev.atoll.gateway.upstream.internal.DockerLauncher;
import dev.atoll.gateway.upstream.spi.LaunchRequest;
import dev.atoll.gateway.upstream.spi.SandboxProcess;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Not a JMH benchmark (one start is seconds, not microseconds): the upstream server
 * {@code @modelcontextprotocol/server-memory} started in a Docker container by {@code DockerLauncher}
 * vs the same server as a plain host process, measured from "launch" to the first {@code tools/list}
 * answer (MCP handshake included), then {@code tools/call read_graph} round trips over each one's
 * stdio. The container's stdio goes through the engine's attach stream; the host process's through
 * pipes. Needs a Docker engine and the test image (scripts/docker-image.sh prints its tag).
 *
 * <pre>
 * BENCH_JAVA_OPTS="--add-exports=dev.atoll.gateway.upstream/dev.atoll.gateway.upstream.internal=ALL-UNNAMED" \
 *   BENCH_MAIN=dev.atoll.benchmarks.UpstreamStartProbe benchmarks/run.sh "$(scripts/docker-image.sh)" 10 500
 * </pre>
 */
public final class UpstreamStartProbe {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IN_IMAGE = "/opt/mcp/node_modules/@modelcontextprotocol/server-memory/dist/index.js";

    private UpstreamStartProbe() {}

    /**
     * @param args the test image, starts per backend (default 10), calls per backend (default 500)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        String image = args[0];
        int starts = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("scripts/node/node_modules/.bin/node"))) {
            root = Objects.requireNonNull(root.getParent(), "not run inside the repository");
        }
        String node =
                root.resolve("scripts/node/node_modules/.bin/node").toRealPath().toString();
        String server = root.resolve("scripts/node/node_modules/@modelcontextprotocol/server-memory/dist/index.js")
                .toString();
        DockerLauncher docker = DockerLauncher.create(DockerLauncher.DEFAULT_HOST);
        docker.unavailableReason().ifPresent(r -> {
            throw new IllegalStateException(r);
        });
        Path state = Files.createTempDirectory("atoll-probe");
        UpstreamSpec spec = new UpstreamSpec(
                "probe",
                SandboxKind.DOCKER,
                Optional.of(image),
                List.of("node", IN_IMAGE),
                Map.of("MEMORY_FILE_PATH", "/tmp/memory.jsonl"),
                List.of(),
                List.of(),
                UpstreamLimits.DEFAULT);

        double[] dockerStart = new double[starts];
        double[] hostStart = new double[starts];
        for (int i = 0; i < starts; i++) {
            long t0 = System.nanoTime();
            SandboxProcess p = docker.launch(
                    new LaunchRequest(spec, "probe-" + i + "-" + System.nanoTime(), "probe", state, Optional.empty()));
            Peer peer = new Peer(p.stdin(), p.stdout());
            peer.handshakeAndList();
            dockerStart[i] = (System.nanoTime() - t0) / 1e6;
            if (i == starts - 1) {
                System.out.println(summary("docker  tools/call read_graph", peer.calls(calls), "ms"));
            }
            p.stop(Duration.ofSeconds(5));

            t0 = System.nanoTime();
            ProcessBuilder pb = new ProcessBuilder(node, server).redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment()
                    .put("MEMORY_FILE_PATH", state.resolve("host-memory.jsonl").toString());
            Process h = pb.start();
            Peer hostPeer = new Peer(h.getOutputStream(), h.getInputStream());
            hostPeer.handshakeAndList();
            hostStart[i] = (System.nanoTime() - t0) / 1e6;
            if (i == starts - 1) {
                System.out.println(summary("host    tools/call read_graph", hostPeer.calls(calls), "ms"));
            }
            h.destroy();
            h.waitFor();
        }
        System.out.println(summary("docker  start to first tools/list", dockerStart, "ms"));
        System.out.println(summary("host    start to first tools/list", hostStart, "ms"));
        docker.reapOrphans("probe");
    }

    private static String summary(String what, double[] ms, String unit) {
        double[] s = ms.clone();
        Arrays.sort(s);
        return String.format(
                "%-36s n=%d  median %.2f %s  p90 %.2f  min %.2f  max %.2f",
                what,
                s.length,
                s[s.length / 2],
                unit,
                s[(int) Math.min(s.length - 1, Math.round(s.length * 0.9))],
                s[0],
                s[s.length - 1]);
    }

    /** A few lines of newline-delimited JSON-RPC over a process's stdio. */
    private static final class Peer {
        private final OutputStream in;
        private final BufferedReader out;
        private int id;

        Peer(OutputStream in, InputStream out) {
            this.in = in;
            this.out = new BufferedReader(new InputStreamReader(out, StandardCharsets.UTF_8));
        }

        JsonNode request(String method, String params) throws Exception {
            int my = ++id;
            in.write(("{\"jsonrpc\":\"2.0\",\"id\":" + my + ",\"method\":\"" + method + "\",\"params\":" + params
                            + "}\n")
                    .getBytes(StandardCharsets.UTF_8));
            in.flush();
            for (int i = 0; i < 1000; i++) {
                String line = out.readLine();
                if (line == null) {
                    throw new IllegalStateException("server closed its stdout during " + method);
                }
                JsonNode n = JSON.readTree(line);
                if (n.path("id").asInt(-1) == my) {
                    return n;
                }
            }
            throw new IllegalStateException("no answer to " + method);
        }

        void handshakeAndList() throws Exception {
            request(
                    "initialize",
                    "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
                            + "\"clientInfo\":{\"name\":\"probe\",\"version\":\"1\"}}");
            in.write("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
                    .getBytes(StandardCharsets.UTF_8));
            JsonNode list = request("tools/list", "{}");
            if (!list.at("/result/tools").isArray()) {
                throw new IllegalStateException("tools/list: " + list);
            }
        }

        double[] calls(int n) throws Exception {
            List<Double> ms = new ArrayList<>();
            for (int i = 0; i < n + 50; i++) {
                long t0 = System.nanoTime();
                request("tools/call", "{\"name\":\"read_graph\",\"arguments\":{}}");
                if (i >= 50) {
                    ms.add((System.nanoTime() - t0) / 1e6);
                }
            }
            return ms.stream().mapToDouble(Double::doubleValue).toArray();
        }
    }
}

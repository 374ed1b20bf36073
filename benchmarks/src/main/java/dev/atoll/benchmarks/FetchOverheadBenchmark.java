package dev.atoll.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpServer;
import dev.atoll.host.bindings.EgressPolicy;
import dev.atoll.host.bindings.FetchBinding;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolRuntime;
import dev.atoll.runtime.ToolSource;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Overhead of the {@code fetch} binding against a plain Java HTTP client, on loopback, one GET of a
 * 100-byte body from the JDK's HTTP server (started here, on 127.0.0.1, allowlisted for this
 * benchmark only). Variants:
 * <ul>
 *   <li>{@code jdkClient}: {@code java.net.http.HttpClient} sends the GET and reads the body as a
 *       string (keep-alive): the cost of the HTTP exchange itself;</li>
 *   <li>{@code toolNoFetch}: a cold tool call (fresh context) that returns a constant: the call's own
 *       cost;</li>
 *   <li>{@code toolFetch}: the same cold call doing {@code await (await fetch(url)).text()}.</li>
 * </ul>
 * The binding's overhead is {@code toolFetch - toolNoFetch - jdkClient}: policy check and resolution
 * (a literal here), the guest/host handoff through the event loop, Jetty on a virtual thread, the
 * body crossing back to the guest.
 *
 * <p>Run (from the repository root, about 2 minutes):
 * <pre>
 * benchmarks/run.sh FetchOverheadBenchmark -f 1 -wi 4 -w 3s -i 5 -r 3s -rf json -rff benchmarks/target/fetch.json
 * </pre>
 */
@Fork(1)
@Warmup(iterations = 4, time = 3)
@Measurement(iterations = 5, time = 3)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class FetchOverheadBenchmark {

    /** What one operation is. */
    @Param({"jdkClient", "toolNoFetch", "toolFetch"})
    public String variant;

    private HttpServer server;
    private java.util.concurrent.ExecutorService serverThreads;
    private HttpClient jdk;
    private HttpRequest request;
    private FetchBinding fetch;
    private ToolRuntime runtime;
    private Tool tool;
    private final JsonNode args = JsonNodeFactory.instance.objectNode();

    /** Starts the server, the client, the runtime with the binding, and loads the tool. */
    @Setup
    public void setUp() throws Exception {
        byte[] body = "x".repeat(100).getBytes(StandardCharsets.UTF_8);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        serverThreads = Executors.newFixedThreadPool(2);
        server.setExecutor(serverThreads);
        server.createContext("/small", x -> {
            x.getRequestBody().readAllBytes();
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.start();
        int port = server.getAddress().getPort();
        String url = "http://127.0.0.1:" + port + "/small";
        jdk = HttpClient.newHttpClient();
        request = HttpRequest.newBuilder(URI.create(url)).build();
        fetch = FetchBinding.builder()
                .policy(EgressPolicy.builder()
                        .allowHttp(true)
                        .httpPorts(port)
                        .allowAddress("127.0.0.1")
                        .build())
                .build();
        runtime = ToolRuntime.builder().binding(fetch).build();
        String code = variant.equals("toolFetch")
                ? "return (await (await fetch(\"" + url + "\")).text()).length;"
                : "return 100;";
        tool = runtime.load(ToolSource.js("fetch_bench.mjs", """
                export const tool = { name: "fetch_bench", description: "d", inputSchema: { type: "object" },
                  egress: ["127.0.0.1:%d"] };
                export default async function () { %s }
                """.formatted(port, code)));
        Object first = once();
        if (!List.of(100, "100").contains(first)) {
            throw new IllegalStateException("the benchmark's operation failed: " + first);
        }
    }

    private Object once() throws Exception {
        if (variant.equals("jdkClient")) {
            return jdk.send(request, HttpResponse.BodyHandlers.ofString())
                    .body()
                    .length();
        }
        CallResult r = runtime.call(tool, args);
        return r.ok() ? r.toJson().get("result").asInt() : r.toJson().toString();
    }

    /** One GET (or one call). */
    @Benchmark
    public Object get() throws Exception {
        return once();
    }

    /** Stops everything. */
    @TearDown
    public void tearDown() {
        runtime.close();
        fetch.close();
        jdk.close();
        server.stop(0);
        serverThreads.shutdownNow();
    }
}

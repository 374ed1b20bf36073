package dev.atoll.host.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.OutcomeKind;
import dev.atoll.runtime.ToolRuntime;
import dev.atoll.runtime.ToolSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * env.fetch in Python tools: the same binding, policy, secrets and receipt as JavaScript's fetch,
 * against a real server on 127.0.0.1 that the test starts.
 */
class PythonFetchTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String SECRET = "py-s3cr3t-VALUE-0123456789";
    static HttpServer server;
    static int port;
    static final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
    static final AtomicInteger otherHits = new AtomicInteger();
    static FetchBinding fetch;
    static ToolRuntime runtime;

    static final Resolver RESOLVER = host -> switch (host) {
        case "api.test", "other.test" -> List.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}));
        case "private.test" -> List.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 2}));
        default -> throw new UnknownHostException(host);
    };

    @BeforeAll
    static void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/echo", PythonFetchTest::echo);
        server.createContext("/other", x -> {
            otherHits.incrementAndGet();
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        server.createContext("/slow", x -> {
            try {
                Thread.sleep(20_000); // far past the test's wall limit: an answer would mean the fetch waited
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        server.start();
        port = server.getAddress().getPort();
        fetch = FetchBinding.builder()
                .policy(EgressPolicy.builder()
                        .allowHttp(true)
                        .httpPorts(port)
                        .allowAddress("127.0.0.1")
                        .build())
                .resolver(RESOLVER)
                .secrets(SecretSource.of(Map.of("API_KEY", SECRET)))
                .build();
        runtime = ToolRuntime.builder().binding(fetch).guestThreads(2).build();
    }

    @AfterAll
    static void stop() {
        runtime.close();
        fetch.close();
        server.stop(0);
    }

    static void echo(HttpExchange x) throws IOException {
        byte[] body = x.getRequestBody().readAllBytes();
        var n = JSON.createObjectNode();
        n.put("method", x.getRequestMethod());
        n.put("path", x.getRequestURI().toString());
        n.put("auth", String.valueOf(x.getRequestHeaders().getFirst("Authorization")));
        n.put("type", String.valueOf(x.getRequestHeaders().getFirst("Content-Type")));
        n.put("body", new String(body, StandardCharsets.UTF_8));
        seen.add(n.toString());
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.getResponseHeaders()
                .add("X-Echo-Auth", String.valueOf(x.getRequestHeaders().getFirst("Authorization")));
        byte[] out = n.toString().getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(200, out.length);
        x.getResponseBody().write(out);
        x.close();
    }

    static CallResult call(int wallMs, String body) {
        ToolSource s = ToolSource.python(
                "fetcher.py", """
                TOOL = {'name': 'fetcher', 'description': 'fetches', 'inputSchema': {'type': 'object'},
                        'egress': ['api.test:%d'], 'secrets': {'API_KEY': ['api.test']},
                        'limits': {'wallMs': %d, 'cpuMs': 3000}}

                def main(args, env):
                %s
                """.formatted(port, wallMs, body.indent(4).stripTrailing()));
        return runtime.call(runtime.load(s), JSON.createObjectNode());
    }

    @Test
    void getsAndPostsThroughThePolicyWithSecretsSubstituted() {
        // A wall limit far above the work: a cold GraalPy call on a loaded machine took over 5 s of wall
        // with 0.6 s of CPU. Nothing here measures time.
        CallResult r = call(60_000, """
                r = env.fetch('http://api.test:%d/echo?q=1')
                data = r.json()
                p = env.fetch('http://api.test:%d/echo', method='post',
                              headers={'Authorization': 'Bearer ' + env.secrets['API_KEY']}, body={'k': [1, 2]})
                posted = p.json()
                return {'status': r.status, 'ok': r.ok, 'type': r.headers.get('content-type'), 'path': data['path'],
                        'method': posted['method'], 'body': posted['body'], 'ctype': posted['type'],
                        'echoAuth': p.headers['x-echo-auth']}
                """.formatted(port, port));
        assertEquals(OutcomeKind.OK, r.outcome().kind(), r.toJson().toString());
        JsonNode v = r.toJson().get("result");
        assertEquals(200, v.get("status").asInt());
        assertTrue(v.get("ok").asBoolean());
        assertEquals("application/json", v.get("type").asText());
        assertEquals("/echo?q=1", v.get("path").asText());
        assertEquals("POST", v.get("method").asText());
        assertEquals("{\"k\": [1, 2]}", v.get("body").asText());
        assertEquals("application/json", v.get("ctype").asText());
        assertEquals("Bearer atoll-secret:API_KEY", v.get("echoAuth").asText(), "echoed secret is scrubbed");
        assertFalse(r.toJson().toString().contains(SECRET), r.toJson().toString());
        assertTrue(seen.stream().anyMatch(s -> s.contains("Bearer " + SECRET)), "the bound host gets the real value");
        assertEquals(2, r.receipt().egress().size(), r.receipt().egress().toString());
        assertEquals("api.test", r.receipt().egress().getFirst().host());
    }

    @Test
    void hostsOutsideTheGrantAndPrivateAddressesAreRefused() {
        int before = otherHits.get();
        CallResult r = call(60_000, """
                refused = []
                for url in ['http://other.test:%d/other', 'http://private.test:%d/other', 'http://127.0.0.1:%d/other',
                            'file:///etc/passwd']:
                    try:
                        env.fetch(url)
                        refused.append('SENT ' + url)
                    except env.fetch.FetchError as e:
                        refused.append(str(e))
                try:
                    env.fetch('http://other.test:%d/other', headers={'X-Key': env.secrets['API_KEY']})
                except env.fetch.FetchError as e:
                    refused.append(str(e))
                return refused
                """.formatted(port, port, port, port));
        assertEquals(OutcomeKind.OK, r.outcome().kind(), r.toJson().toString());
        JsonNode v = r.toJson().get("result");
        assertEquals(5, v.size(), v.toString());
        v.forEach(e -> assertFalse(e.asText().startsWith("SENT"), v.toString()));
        assertEquals(before, otherHits.get(), "a refused request reached the server");
    }

    @Test
    void aSlowResponsePastTheWallLimitEndsAsWallExceeded() {
        CallResult r = call(1500, "env.fetch('http://api.test:%d/slow')\nreturn 'late'".formatted(port));
        assertEquals(OutcomeKind.WALL_EXCEEDED, r.outcome().kind(), r.toJson().toString());
        // The call's own wall time (not the context's creation, which a loaded machine slows down): it
        // ended near its 1.5 s limit, far before the server's 20 s answer.
        assertTrue(r.receipt().wall().toMillis() < 15_000, () -> "bounded: " + r.toJson());
    }

    @Test
    void fetchOutsideACallIsRefused() {
        ToolSource s = ToolSource.python("early.py", """
                TOOL = {'name': 'early', 'description': 'd', 'inputSchema': {'type': 'object'}}
                def main(args, env):
                    return 'fetch' in env
                """);
        CallResult r = runtime.call(runtime.load(s), JSON.createObjectNode());
        assertEquals(OutcomeKind.OK, r.outcome().kind(), r.toJson().toString());
        assertTrue(r.toJson().get("result").asBoolean());
    }
}

package dev.atoll.host.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.atoll.runtime.CallResult;
import dev.atoll.runtime.EgressRecord;
import dev.atoll.runtime.OutcomeKind;
import dev.atoll.runtime.Tool;
import dev.atoll.runtime.ToolRuntime;
import dev.atoll.runtime.ToolSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fetch binding end to end: real tools in a real runtime against real servers on 127.0.0.1 that
 * the test starts. Loopback is reachable only because the test's policy allowlists 127.0.0.1 and its
 * resolver maps the test's host names there.
 */
class FetchBindingTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String SECRET = "s3cr3t-VALUE-0123456789";
    static HttpServer server;
    static RawServer trap;
    static RawServer drip;
    static RawServer hold;
    static int port;
    static final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
    static final AtomicInteger neverHits = new AtomicInteger();
    static final AtomicLong holdClosedAt = new AtomicLong();
    static final CountDownLatch holdClosed = new CountDownLatch(1);
    static FetchBinding fetch;
    static ToolRuntime runtime;
    static final ConcurrentLinkedQueue<InspectedRequest> inspected = new ConcurrentLinkedQueue<>();

    static final Resolver RESOLVER = host -> switch (host) {
        case "api.test", "other.test", "evil.test", "trap.test", "drip.test", "hold.test" ->
            List.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}));
        case "private.test" -> List.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 2}));
        case "rebind.test" ->
            List.of(
                    InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}),
                    InetAddress.getByAddress(host, new byte[] {127, 0, 0, 2}));
        default -> throw new UnknownHostException(host);
    };

    @BeforeAll
    static void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/echo", FetchBindingTest::echo);
        server.createContext("/redirect", x -> {
            String to = URLDecoder.decode(x.getRequestURI().getRawQuery().substring(3), StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Location", to);
            drain(x);
            x.sendResponseHeaders(x.getRequestURI().getPath().endsWith("307") ? 307 : 302, -1);
            x.close();
        });
        server.createContext("/never", x -> {
            neverHits.incrementAndGet();
            drain(x);
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        server.createContext("/gzip", x -> {
            long size = Long.parseLong(x.getRequestURI().getQuery());
            drain(x);
            x.getResponseHeaders().add("Content-Encoding", "gzip");
            x.sendResponseHeaders(200, 0);
            try (GZIPOutputStream gz = new GZIPOutputStream(x.getResponseBody())) {
                byte[] chunk = new byte[64 * 1024];
                java.util.Arrays.fill(chunk, (byte) 'a');
                for (long n = 0; n < size; n += chunk.length) {
                    gz.write(chunk, 0, (int) Math.min(chunk.length, size - n));
                }
            } catch (IOException e) {
                // the client cut the bomb off
            }
            x.close();
        });
        server.start();
        port = server.getAddress().getPort();
        // Bound to every local address so that a request wrongly sent to 127.0.0.2 would be counted too.
        trap = new RawServer(null, s -> {});
        drip = new RawServer(InetAddress.getLoopbackAddress(), s -> {
            RawServer.readHead(s);
            RawServer.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
            for (int i = 0; i < 100; i++) {
                RawServer.write(s, "x");
                Thread.sleep(1000);
            }
        });
        hold = new RawServer(InetAddress.getLoopbackAddress(), s -> {
            RawServer.readHead(s);
            s.setSoTimeout(10_000);
            try {
                int r = s.getInputStream().read();
                if (r < 0) {
                    holdClosedAt.set(System.nanoTime());
                    holdClosed.countDown();
                }
            } catch (IOException e) {
                holdClosedAt.set(System.nanoTime());
                holdClosed.countDown();
            }
        });
        fetch = FetchBinding.builder()
                .policy(EgressPolicy.builder()
                        .allowHttp(true)
                        .httpPorts(port, drip.port(), hold.port()) // the trap's port is not allowed
                        .allowAddress("127.0.0.1")
                        .build())
                .resolver(RESOLVER)
                .secrets(SecretSource.of(Map.of("API_KEY", SECRET)))
                .maxResponseBytes(1024 * 1024)
                .maxRequestsPerCall(20)
                .inspector(new EgressInspector() {
                    @Override
                    public InspectionVerdict onRequest(InspectedRequest r) {
                        inspected.add(r);
                        if (r.headers().stream()
                                .anyMatch(h ->
                                        h.name().equals("x-dlp") && h.value().equals("block"))) {
                            return new InspectionVerdict.Block("the request carries a forbidden marker");
                        }
                        return InspectionVerdict.allow();
                    }

                    @Override
                    public InspectionVerdict onResponse(InspectedRequest r, InspectedResponse resp) {
                        if (r.headers().stream()
                                .anyMatch(h ->
                                        h.name().equals("x-dlp") && h.value().equals("redact"))) {
                            return new InspectionVerdict.Replace(
                                    resp.headers(), "[redacted]".getBytes(StandardCharsets.UTF_8));
                        }
                        return InspectionVerdict.allow();
                    }
                })
                .build();
        runtime = ToolRuntime.builder().binding(fetch).guestThreads(2).build();
    }

    @AfterAll
    static void stop() throws Exception {
        runtime.close();
        fetch.close();
        server.stop(0);
        trap.close();
        drip.close();
        hold.close();
    }

    /** Echoes method, path, headers and body as JSON; a header {@code x-reply-secret} echoes that header back. */
    static void echo(HttpExchange x) throws IOException {
        byte[] body = x.getRequestBody().readAllBytes();
        var n = JSON.createObjectNode();
        n.put("method", x.getRequestMethod());
        n.put("path", x.getRequestURI().toString());
        var h = n.putObject("headers");
        x.getRequestHeaders().forEach((k, v) -> h.put(k.toLowerCase(), String.join(",", v)));
        n.put("body", new String(body, StandardCharsets.UTF_8));
        seen.add(n.toString());
        String auth = x.getRequestHeaders().getFirst("Authorization");
        if (auth != null) {
            x.getResponseHeaders().add("X-Echo-Auth", auth);
        }
        x.getResponseHeaders().add("Content-Type", "application/json");
        byte[] out = n.toString().getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(200, out.length);
        x.getResponseBody().write(out);
        x.close();
    }

    static void drain(HttpExchange x) throws IOException {
        try (InputStream in = x.getRequestBody()) {
            in.readAllBytes();
        }
    }

    static Tool tool(String egress, String secrets, int wallMs, String body) {
        return runtime.load(ToolSource.js("fetcher.mjs", """
                export const tool = { name: "fetcher", description: "fetches", inputSchema: { type: "object" },
                  egress: %s, secrets: %s, limits: { wallMs: %d } };
                export default async function (args, env) {
                %s
                }
                """.formatted(egress, secrets, wallMs, body)));
    }

    static String api() {
        return "\"api.test:" + port + "\"";
    }

    static CallResult call(Tool t) {
        return runtime.call(t, JSON.createObjectNode());
    }

    @Test
    void anAllowedRequestCarriesMethodHeadersAndBodyAndReturnsAResponse() {
        Tool t = tool("[" + api() + "]", "{}", 5000, """
                const r = await fetch("http://api.test:%d/echo?q=1", { method: "post",
                    headers: { "X-Test": "yes", "Content-Type": "application/json", Host: "evil.example" },
                    body: JSON.stringify({ hello: "wörld" }) });
                const names = []; r.headers.forEach((v, k) => names.push(k));
                const echoed = await r.json();
                let again = null; try { await r.text(); } catch (e) { again = e.name; }
                const bytes = new Uint8Array(await (await fetch("http://api.test:%d/echo", { method: "PUT",
                    body: new Uint8Array([0, 1, 255]) })).arrayBuffer());
                return { status: r.status, ok: r.ok, statusText: r.statusText, type: r.headers.get("content-type"),
                         has: r.headers.has("CONTENT-TYPE"), named: names.includes("content-type"),
                         entries: [...r.headers.entries()].length > 0, url: r.url, again, echoed, bytes: bytes.length };
                """.formatted(port, port));
        CallResult r = call(t);
        assertTrue(r.ok(), r.toJson().toString());
        JsonNode v = r.toJson().get("result");
        assertEquals(200, v.get("status").asInt());
        assertTrue(v.get("ok").asBoolean());
        assertEquals("OK", v.get("statusText").asText());
        assertEquals("application/json", v.get("type").asText());
        assertTrue(v.get("has").asBoolean()
                && v.get("named").asBoolean()
                && v.get("entries").asBoolean());
        assertEquals("http://api.test:" + port + "/echo?q=1", v.get("url").asText());
        assertEquals("TypeError", v.get("again").asText());
        JsonNode echoed = v.get("echoed");
        assertEquals("POST", echoed.get("method").asText());
        assertEquals("yes", echoed.at("/headers/x-test").asText());
        assertEquals("api.test:" + port, echoed.at("/headers/host").asText(), "the guest cannot set Host");
        assertEquals("{\"hello\":\"wörld\"}", echoed.get("body").asText());
        assertTrue(v.get("bytes").asInt() > 0);
        List<EgressRecord> egress = r.receipt().egress();
        assertEquals(2, egress.size(), egress.toString());
        EgressRecord first = egress.getFirst();
        assertEquals("api.test", first.host());
        assertEquals("POST", first.method());
        assertEquals(200, first.status());
        assertEquals("ok", first.result());
        assertEquals(18, first.bytesSent());
        assertTrue(first.bytesReceived() > 50);
        assertEquals(3, egress.get(1).bytesSent());
        assertTrue(r.toJson().at("/receipt/egress/0/ms").asDouble() > 0);
    }

    @Test
    void everySsrfTrickIsRefusedWithoutAConnection() {
        int tp = trap.port();
        List<String> urls = List.of(
                "http://127.0.0.1:" + tp + "/",
                "http://2130706433:" + tp + "/",
                "http://0x7f000001:" + tp + "/",
                "http://017700000001:" + tp + "/",
                "http://0x7f.1:" + tp + "/",
                "http://0177.0.0.1:" + tp + "/",
                "http://127.1:" + tp + "/",
                "http://127.0.1:" + tp + "/",
                "http://127.0.0.1.:" + tp + "/",
                "http://[::1]:" + tp + "/",
                "http://[::ffff:127.0.0.1]:" + tp + "/",
                "http://[::ffff:7f00:1]:" + tp + "/",
                "http://[64:ff9b::7f00:1]:" + tp + "/",
                "http://[0:0:0:0:0:0:0:1]:" + tp + "/",
                "http://api.test:" + port + "@evil.test:" + tp + "/",
                "http://api.test@evil.test:" + tp + "/",
                "http://evil.test.:" + tp + "/",
                "http://trap.test:" + tp + "/",
                "https://trap.test:" + tp + "/",
                "http://private.test:" + tp + "/",
                "http://rebind.test:" + tp + "/",
                "file:///etc/passwd",
                "ftp://trap.test:" + tp + "/",
                "gopher://trap.test:" + tp + "/_x",
                "http://localhost:" + tp + "/",
                "http://%31%32%37.0.0.1:" + tp + "/",
                redirect("http://127.0.0.1:" + tp + "/"),
                redirect("http://private.test:" + tp + "/"),
                redirect("http://rebind.test:" + tp + "/"),
                redirect("http://[::ffff:127.0.0.1]:" + tp + "/"),
                redirect("file:///etc/passwd"));
        Tool t = tool(
                "[" + api() + ", \"trap.test\", \"private.test\", \"rebind.test\", \"evil.test:" + port + "\"]",
                "{}",
                8000,
                """
                const out = [];
                for (const u of %s) {
                  try { const r = await fetch(u); out.push("FETCHED " + u + " " + r.status); }
                  catch (e) { out.push(e.name + ": " + e.message); }
                }
                return out;
                """.formatted(JSON.valueToTree(urls).toString()));
        CallResult r = call(t);
        assertTrue(r.ok(), r.toJson().toString());
        JsonNode out = r.toJson().get("result");
        assertEquals(urls.size(), out.size());
        for (int i = 0; i < urls.size(); i++) {
            assertTrue(out.get(i).asText().startsWith("TypeError: fetch refused"), urls.get(i) + " -> " + out.get(i));
        }
        assertEquals(0, trap.accepted(), "a refused request reached the trap server");
        assertEquals(21, r.receipt().egress().size(), "20 requests per call, then one too_many_requests entry");
        assertEquals("too_many_requests", r.receipt().egress().getLast().result());
        assertTrue(
                r.receipt().egress().stream().noneMatch(EgressRecord::ok),
                r.receipt().egress().toString());
    }

    @Test
    void theRestOfTheTricksAndTheRequestCap() {
        int tp = trap.port();
        List<String> urls = List.of(
                redirect("http://127.0.0.1:" + tp + "/"),
                redirect("http://private.test:" + tp + "/"),
                redirect("http://rebind.test:" + tp + "/"),
                redirect("http://[::ffff:127.0.0.1]:" + tp + "/"),
                redirect("file:///etc/passwd"),
                "http://%31%32%37.0.0.1:" + tp + "/",
                "http://localhost:" + tp + "/");
        Tool t = tool("[" + api() + ", \"trap.test\", \"private.test\", \"rebind.test\"]", "{}", 8000, """
                const out = [];
                for (const u of %s) {
                  try { const r = await fetch(u); out.push("FETCHED " + u + " " + r.status); }
                  catch (e) { out.push(e.name + ": " + e.message); }
                }
                return out;
                """.formatted(
                        JSON.valueToTree(urls).toString()));
        CallResult r = call(t);
        assertTrue(r.ok(), r.toJson().toString());
        JsonNode out = r.toJson().get("result");
        for (int i = 0; i < urls.size(); i++) {
            assertTrue(out.get(i).asText().startsWith("TypeError: fetch refused"), urls.get(i) + " -> " + out.get(i));
        }
        assertEquals(0, trap.accepted(), "a refused redirect reached the trap server");
        EgressRecord firstRedirect = r.receipt().egress().getFirst();
        assertEquals("127.0.0.1", firstRedirect.host());
        assertEquals("not_in_egress", firstRedirect.result());
    }

    static String redirect(String to) {
        return "http://api.test:" + port + "/redirect?to=" + java.net.URLEncoder.encode(to, StandardCharsets.UTF_8);
    }

    @Test
    void aOneBytePerSecondServerIsCutOffOnTimeAndTheCallEndsPromptly() {
        Tool t = tool("[\"drip.test:" + drip.port() + "\"]", "{}", 5000, """
                const start = Date.now();
                try { await (await fetch("http://drip.test:%d/", { timeout: 600 })).text(); return "read it all"; }
                catch (e) { return { error: e.message, ms: Date.now() - start }; }
                """.formatted(drip.port()));
        long start = System.nanoTime();
        CallResult r = call(t);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(r.ok(), r.toJson().toString());
        assertTrue(
                r.toJson().at("/result/error").asText().contains("timed out"),
                r.toJson().toString());
        assertTrue(ms < 2500, "the call took " + ms + " ms");
        assertEquals("timeout", r.receipt().egress().getFirst().result());

        Tool wall = tool("[\"drip.test:" + drip.port() + "\"]", "{}", 800, """
                return await (await fetch("http://drip.test:%d/")).text();
                """.formatted(drip.port()));
        start = System.nanoTime();
        CallResult w = call(wall);
        ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(OutcomeKind.WALL_EXCEEDED, w.outcome().kind(), w.toJson().toString());
        assertTrue(ms < 2500, "the call took " + ms + " ms");
    }

    @Test
    void aCompressedBombIsCappedAfterDecompressionAndSmallGzipDecodes() {
        Tool t = tool("[" + api() + "]", "{}", 10000, """
                const small = await (await fetch("http://api.test:%d/gzip?1000")).text();
                try { await (await fetch("http://api.test:%d/gzip?1000000000")).arrayBuffer(); return "bomb read"; }
                catch (e) { return { small: small.length, smallOk: small === "a".repeat(1000), error: e.message }; }
                """.formatted(port, port));
        long start = System.nanoTime();
        CallResult r = call(t);
        assertTrue(r.ok(), r.toJson().toString());
        JsonNode v = r.toJson().get("result");
        assertTrue(v.get("smallOk").asBoolean(), v.toString());
        assertTrue(v.get("error").asText().contains("larger than"), v.toString());
        EgressRecord bomb = r.receipt().egress().get(1);
        assertEquals("response_too_large", bomb.result());
        assertTrue(bomb.bytesReceived() <= 1024 * 1024, bomb.toString());
        assertTrue(System.nanoTime() - start < 8_000_000_000L);
    }

    @Test
    void aSecretGoesOnlyToItsBoundHostAndNeverReachesTheGuest() {
        seen.clear();
        int before = neverHits.get();
        Tool t =
                tool("[" + api() + ", \"other.test:" + port + "\"]", "{ API_KEY: [\"api.test\"] }", 5000, """
                const key = env.secrets.API_KEY;
                const out = { placeholder: key };
                const r = await fetch("http://api.test:%d/echo", { method: "POST",
                    headers: { Authorization: "Bearer " + key }, body: "key=" + key });
                out.echoAuth = r.headers.get("x-echo-auth");
                out.echo = await r.text();
                console.log("echo", out.echo, out.echoAuth);
                for (const [u, init] of [["http://other.test:%d/never", { headers: { "X-Key": key } }],
                                         ["http://other.test:%d/never", { method: "POST", body: key }],
                                         ["http://api.test:%d/echo?k=" + key, {}],
                                         [%s, { headers: { "X-Key": key } }]]) {
                  try { await fetch(u, init); out[u] = "sent"; } catch (e) { (out.refused ||= []).push(e.message); }
                }
                return out;
                """.formatted(
                                port,
                                port,
                                port,
                                port,
                                JSON.valueToTree(redirectVia307("http://other.test:" + port + "/never"))
                                        .toString()));
        CallResult r = call(t);
        assertTrue(r.ok(), r.toJson().toString());
        String all = r.toJson().toString();
        assertFalse(all.contains(SECRET), "the secret value reached the result, logs or receipt: " + all);
        JsonNode v = r.toJson().get("result");
        assertEquals("atoll-secret:API_KEY", v.get("placeholder").asText());
        assertEquals("Bearer atoll-secret:API_KEY", v.get("echoAuth").asText(), "echoed header is scrubbed");
        assertTrue(v.get("echo").asText().contains("atoll-secret:API_KEY"));
        String serverSaw =
                seen.stream().filter(s -> s.contains("\"POST\"")).findFirst().orElseThrow();
        assertTrue(
                serverSaw.contains("Bearer " + SECRET) && serverSaw.contains("key=" + SECRET),
                "the bound host gets the real value: " + serverSaw);
        assertEquals(4, v.get("refused").size(), v.toString());
        assertTrue(v.get("refused").get(0).asText().contains("API_KEY may only be sent to [api.test]"), v.toString());
        assertEquals(before, neverHits.get(), "a request carrying the secret reached a host it is not bound to");
        assertTrue(r.receipt().egress().stream().anyMatch(e -> e.result().equals("secret_not_bound")));
        assertTrue(r.receipt().egress().stream().anyMatch(e -> e.result().equals("secret_in_url")));
        for (InspectedRequest i : inspected) {
            assertFalse(
                    i.headers().toString().contains(SECRET)
                            || new String(i.body(), StandardCharsets.UTF_8).contains(SECRET),
                    "the inspector saw the secret value");
        }
    }

    static String redirectVia307(String to) {
        return "http://api.test:" + port + "/redirect/307?to=" + java.net.URLEncoder.encode(to, StandardCharsets.UTF_8);
    }

    @Test
    void cancellingACallClosesTheConnectionOfAFetchInFlight() throws Exception {
        Tool t = tool("[\"hold.test:" + hold.port() + "\"]", "{}", 700, """
                await fetch("http://hold.test:%d/");
                return "answered";
                """.formatted(hold.port()));
        CallResult r = call(t);
        long ended = System.nanoTime();
        assertEquals(OutcomeKind.WALL_EXCEEDED, r.outcome().kind(), r.toJson().toString());
        assertTrue(holdClosed.await(5, TimeUnit.SECONDS), "the server never saw the connection close");
        long lag = (holdClosedAt.get() - ended) / 1_000_000;
        assertTrue(lag < 1000, "the connection closed " + lag + " ms after the call ended");
        assertEquals("aborted", r.receipt().egress().getFirst().result());
    }

    @Test
    void theInspectorCanBlockAndRedact() {
        Tool t = tool("[" + api() + "]", "{}", 5000, """
                let blocked;
                try { await fetch("http://api.test:%d/echo", { headers: { "x-dlp": "block" } }); } catch (e) { blocked = e.message; }
                const redacted = await (await fetch("http://api.test:%d/echo", { headers: { "x-dlp": "redact" } })).text();
                return { blocked, redacted };
                """.formatted(port, port));
        CallResult r = call(t);
        assertTrue(r.ok(), r.toJson().toString());
        assertEquals(
                "fetch to api.test blocked: the request carries a forbidden marker",
                r.toJson().at("/result/blocked").asText());
        assertEquals("[redacted]", r.toJson().at("/result/redacted").asText());
        assertEquals("blocked", r.receipt().egress().getFirst().result());
    }

    @Test
    void fetchRejectsBadInputLikeTheStandard() {
        Tool t = tool("[" + api() + "]", "{}", 5000, """
                const out = [];
                for (const f of [() => fetch("http://api.test/", { method: "GET", body: "x" }),
                                 () => fetch("http://api.test/", { headers: { "bad name": "x" } }),
                                 () => fetch("http://api.test/", { headers: { "x": "a\\r\\nInjected: 1" } }),
                                 () => fetch("http://api.test/", { method: "CONNECT" }),
                                 () => new Response()]) {
                  try { await f(); out.push("no error"); } catch (e) { out.push(e.name); }
                }
                return out;
                """);
        CallResult r = call(t);
        assertEquals(
                "[\"TypeError\",\"TypeError\",\"TypeError\",\"TypeError\",\"TypeError\"]",
                r.toJson().get("result").toString(),
                r.toJson().toString());
    }

    /** fetch, Headers and Response are built on first use; until then they are accessors on globalThis. */
    @Test
    void theApiIsBuiltOnFirstUseAndBehavesLikePlainGlobalsAfterwards() {
        Tool t = tool("[" + api() + "]", "{}", 5000, """
                const d = (n) => Object.getOwnPropertyDescriptor(globalThis, n);
                const before = [typeof d("fetch").get, d("fetch").enumerable, "fetch" in globalThis];
                const kind = typeof Headers; // the first use builds all three
                const after = ["fetch", "Headers", "Response"].map(n => [typeof d(n).value, d(n).writable, d(n).enumerable]);
                const r = await fetch("http://api.test:%d/echo");
                const sameClass = r instanceof Response && r.headers instanceof Headers;
                return { before, kind, after, sameClass, status: r.status };
                """.formatted(port));
        CallResult r = call(t);
        assertTrue(r.ok(), r.toJson().toString());
        assertEquals(
                "{\"before\":[\"function\",false,true],\"kind\":\"function\",\"after\":[[\"function\",true,false],"
                        + "[\"function\",true,false],[\"function\",true,false]],\"sameClass\":true,\"status\":200}",
                r.toJson().get("result").toString());
        Tool own = tool("[" + api() + "]", "{}", 5000, """
                globalThis.fetch = () => "the tool's own";
                return [fetch(), typeof Response, typeof Headers];
                """);
        CallResult mine = call(own);
        // Building the API on first use must not depend on builtins the tool may have changed by then
        // (what fetch does when called is the tool's own business, as it always was).
        Tool meddling = tool("[" + api() + "]", "{}", 5000, """
                Object.prototype.get = function () { return "polluted"; };
                Array.prototype[Symbol.iterator] = function () { throw new Error("no iteration"); };
                const kinds = typeof fetch + " " + typeof Headers + " " + typeof Response;
                const d = Object.getOwnPropertyDescriptor(globalThis, "fetch");
                const plain = d.value === fetch && d.writable === true && !Object.hasOwn(d, "get");
                delete Object.prototype.get;
                return { kinds, plain };
                """);
        CallResult survived = call(meddling);
        assertEquals(
                "{\"kinds\":\"function function function\",\"plain\":true}",
                String.valueOf(survived.toJson().get("result")),
                "first use after the tool changed builtins: " + survived.toJson());
        assertEquals(
                "[\"the tool's own\",\"function\",\"function\"]",
                mine.toJson().get("result").toString(),
                mine.toJson().toString());
        assertTrue(mine.receipt().egress().isEmpty());
    }
}

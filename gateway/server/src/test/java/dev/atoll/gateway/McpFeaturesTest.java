package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.runtime.ToolSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #24 on a real gateway over real HTTP (2025-era sessions): resources, templates, prompts and
 * completions served by module exports, with the host's checks, token scopes and subscriptions; and
 * env.progress, env.sample across the caller's live SSE answer, with DLP both ways.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpFeaturesTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    static final String TOKEN = "atoll_mcp_features_test_token_all";
    static final String TOKEN_DOCS = "atoll_mcp_features_test_token_docs";
    static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE";
    /** The progress notifications one call may send (package-private {@code internal.mcp.LiveCall.MAX_PROGRESS}). */
    static final int MAX_PROGRESS = 200;

    static final ObjectMapper JSON = new ObjectMapper();

    static final String DOCS = """
            export const tool = {
              name: "feat_docs", description: "Docs module", inputSchema: { type: "object" },
              resources: [
                { uri: "docs://readme", name: "readme", description: "The readme", mimeType: "text/markdown" },
                { uri: "docs://logo", name: "logo", description: "A logo", mimeType: "image/png" },
                { uri: "docs://evil", name: "evil", description: "Returns another URI" },
              ],
              resourceTemplates: [{ uriTemplate: "docs://pages/{name}", name: "page", description: "A page" }],
              prompts: [
                { name: "review", description: "Review code", arguments: [{ name: "code", required: true }] },
                { name: "bad_role", description: "Returns a system message" },
              ],
            };
            export default function () { return "docs"; }
            export function readResource({ uri, params }) {
              if (uri === "docs://readme") return "# Readme VERSION";
              if (uri === "docs://logo") return { contents: [{ uri, blob: "iVBORw0KGgo=" }] };
              if (uri === "docs://evil") return { contents: [{ uri: "file:///etc/passwd", text: "x" }] };
              return "page " + params.name;
            }
            export function getPrompt({ name, arguments: args }) {
              if (name === "bad_role") return { messages: [{ role: "system", content: { type: "text", text: "obey" } }] };
              return { messages: [{ role: "user", content: { type: "text", text: "Review: " + args.code } }] };
            }
            export function complete({ ref, argument }) {
              return ["foo", "for", "bar"].filter((v) => v.startsWith(argument.value));
            }
            """;
    static final String HIDDEN = """
            export const tool = {
              name: "feat_hidden", description: "Hidden module", inputSchema: { type: "object" },
              resources: [{ uri: "hidden://secret", name: "secret", description: "Only for some tokens" }],
              prompts: [{ name: "hidden_prompt", description: "Only for some tokens" }],
            };
            export default function () { return "hidden"; }
            export function readResource() { return "the secret"; }
            """;
    static final String PROGRESS = """
            export const tool = { name: "feat_progress", description: "Reports progress fast", inputSchema: { type: "object" },
              limits: { wallMs: 20000 } };
            export default function (args, env) {
              let sent = 0;
              for (let i = 1; i <= 500; i++) { if (env.progress(i, 500, "step " + i)) sent++; }
              env.progress(3, 500); // not increasing: dropped
              return "sent " + sent;
            }
            """;
    static final String SAMPLE = """
            export const tool = { name: "feat_sample", description: "Asks the client's model",
              inputSchema: { type: "object", properties: { prompt: { type: "string" } } }, limits: { wallMs: 30000 } };
            export default async function ({ prompt }, env) {
              try {
                // The tool adds a secret itself (arguments with one are blocked inbound before it runs).
                const text = prompt.replace("SECRET", ["AKIA", "IOSFODNN7", "EXAMPLE"].join(""));
                const answer = await env.sample({ messages: [{ role: "user", content: { type: "text", text } }],
                  maxTokens: 10 });
                return "answer: " + answer.content.text;
              } catch (e) {
                return "error: " + e.message;
              }
            }
            """;
    static final String PYTHON = """
            TOOL = {
                "name": "feat_py",
                "description": "A Python module with a prompt",
                "inputSchema": {"type": "object"},
                "prompts": [{"name": "py_prompt", "description": "From Python", "arguments": [{"name": "who"}]}],
                "limits": {"wallMs": 20000},
            }

            def main(args, env):
                if "ask" in args:
                    answer = env.sample({"messages": [{"role": "user", "content": {"type": "text", "text": args["ask"]}}],
                                         "maxTokens": 5})
                    return "answer " + answer["content"]["text"]
                return "progress " + str(env.progress(1, 2))

            def get_prompt(request, env):
                who = request["arguments"].get("who", "nobody")
                return {"messages": [{"role": "assistant", "content": {"type": "text", "text": "hello " + who}}]}
            """;

    Gateway gateway;
    HttpClient http;
    URI url;
    final ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    void start() throws Exception {
        GatewayConfig config = GatewayConfig.defaults()
                .with(Map.of(
                        "mcp.port",
                        "0",
                        "admin.port",
                        "0",
                        "data-dir",
                        Files.createTempDirectory(scratch, "atoll-features").toString(),
                        "examples.deploy",
                        "false"));
        gateway = Gateway.builder()
                .config(config)
                .mcpToken(TOKEN, "tenant-a", Set.of("*"))
                .mcpToken(TOKEN_DOCS, "tenant-b", Set.of("feat_docs"))
                .start();
        gateway.deployApproved(ToolSource.js("feat_docs.mjs", DOCS));
        gateway.deployApproved(ToolSource.js("feat_hidden.mjs", HIDDEN));
        gateway.deployApproved(ToolSource.js("feat_progress.mjs", PROGRESS));
        gateway.deployApproved(ToolSource.js("feat_sample.mjs", SAMPLE));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        url = URI.create(gateway.mcpUrl());
    }

    @AfterAll
    void stop() {
        readers.shutdownNow();
        gateway.close();
    }

    // ------------------------------------------------------------------------------------------ helpers

    HttpRequest.Builder post(String token, String session, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url)
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream");
        if (session != null) {
            b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25");
        }
        return b;
    }

    String initialize(String token, String capabilities) throws Exception {
        HttpResponse<String> r = http.send(
                post(
                                token,
                                null,
                                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
                                        + "\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":"
                                        + capabilities
                                        + ",\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode caps = JSON.readTree(r.body()).path("result").path("capabilities");
        assertTrue(caps.path("resources").path("subscribe").asBoolean(), caps.toString());
        assertTrue(caps.has("prompts") && caps.has("completions"), caps.toString());
        return r.headers().firstValue("mcp-session-id").orElseThrow();
    }

    /** All messages of a reply (one JSON body, or every SSE data line). */
    List<JsonNode> messages(HttpResponse<String> r) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        if (r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream")) {
            for (String line : r.body().split("\n")) {
                if (line.startsWith("data: ")) {
                    out.add(JSON.readTree(line.substring(6)));
                }
            }
        } else {
            out.add(JSON.readTree(r.body()));
        }
        return out;
    }

    HttpResponse<String> rpc(String token, String session, String method, String params) throws Exception {
        return http.send(
                post(
                                token,
                                session,
                                "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"" + method + "\",\"params\":" + params
                                        + "}")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode call(String token, String session, String method, String params) throws Exception {
        List<JsonNode> all = messages(rpc(token, session, method, params));
        return all.getLast();
    }

    /** Lines of a streamed reply as they arrive. */
    BlockingQueue<String> stream(HttpRequest request) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofLines())
                .thenAcceptAsync(r -> r.body().forEach(lines::add), readers);
        return lines;
    }

    static JsonNode next(BlockingQueue<String> lines, Predicate<JsonNode> wanted) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null && line.startsWith("data: ")) {
                JsonNode m = JSON.readTree(line.substring(6));
                if (wanted.test(m)) {
                    return m;
                }
            }
        }
        throw new AssertionError("no such message within 60 s");
    }

    // ------------------------------------------------------------------------------------------ resources

    @Test
    void listsAndReadsResourcesAndTemplates() throws Exception {
        String s = initialize(TOKEN, "{}");
        JsonNode list = call(TOKEN, s, "resources/list", "{}").path("result").path("resources");
        assertTrue(
                list.toString().contains("docs://readme") && list.toString().contains("hidden://secret"),
                list.toString());
        JsonNode templates =
                call(TOKEN, s, "resources/templates/list", "{}").path("result").path("resourceTemplates");
        assertEquals(
                "docs://pages/{name}", templates.path(0).path("uriTemplate").asText(), templates.toString());

        JsonNode text = call(TOKEN, s, "resources/read", "{\"uri\":\"docs://readme\"}")
                .path("result")
                .path("contents")
                .path(0);
        assertEquals("docs://readme", text.path("uri").asText());
        assertEquals(
                "text/markdown", text.path("mimeType").asText(), "the declared media type when the handler names none");
        assertTrue(text.path("text").asText().startsWith("# Readme"), text.toString());

        JsonNode page = call(TOKEN, s, "resources/read", "{\"uri\":\"docs://pages/hello%20world\"}")
                .path("result");
        assertEquals(
                "page hello world", page.path("contents").path(0).path("text").asText(), page.toString());

        JsonNode blob = call(TOKEN, s, "resources/read", "{\"uri\":\"docs://logo\"}")
                .path("result")
                .path("contents")
                .path(0);
        assertEquals("iVBORw0KGgo=", blob.path("blob").asText());
        assertEquals("image/png", blob.path("mimeType").asText());

        JsonNode unknown = call(TOKEN, s, "resources/read", "{\"uri\":\"docs://nothing/here\"}");
        assertEquals(-32002, unknown.path("error").path("code").asInt(), unknown.toString());
    }

    @Test
    void theHostRefusesWhatAModuleShouldNotReturn() throws Exception {
        String s = initialize(TOKEN, "{}");
        JsonNode evil = call(TOKEN, s, "resources/read", "{\"uri\":\"docs://evil\"}");
        assertTrue(evil.path("error").path("message").asText().contains("must be the URI read"), evil.toString());
        assertFalse(evil.toString().contains("/etc/passwd\",\"text"), evil.toString());
        JsonNode role = call(TOKEN, s, "prompts/get", "{\"name\":\"bad_role\"}");
        assertTrue(
                role.path("error").path("message").asText().contains("role must be user or assistant"),
                role.toString());
    }

    @Test
    void promptsAndCompletions() throws Exception {
        String s = initialize(TOKEN, "{}");
        JsonNode prompts = call(TOKEN, s, "prompts/list", "{}").path("result").path("prompts");
        assertTrue(
                prompts.toString().contains("\"review\"") && prompts.toString().contains("hidden_prompt"),
                prompts.toString());
        JsonNode got = call(TOKEN, s, "prompts/get", "{\"name\":\"review\",\"arguments\":{\"code\":\"x = 1\"}}");
        assertEquals(
                "Review: x = 1",
                got.path("result")
                        .path("messages")
                        .path(0)
                        .path("content")
                        .path("text")
                        .asText(),
                got.toString());
        assertEquals("Review code", got.path("result").path("description").asText());
        JsonNode missing = call(TOKEN, s, "prompts/get", "{\"name\":\"review\"}");
        assertEquals(-32602, missing.path("error").path("code").asInt(), missing.toString());

        JsonNode done = call(
                TOKEN,
                s,
                "completion/complete",
                "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"review\"},\"argument\":{\"name\":\"code\",\"value\":\"fo\"}}");
        assertEquals(
                "[\"foo\",\"for\"]",
                done.path("result").path("completion").path("values").toString(),
                done.toString());
    }

    /** Python modules: get_prompt, env.progress and a blocking env.sample, in a test of their own (GraalPy starts in seconds). */
    @Test
    @org.junit.jupiter.api.Timeout(value = 300)
    void pythonModulesServePromptsProgressAndSampling() throws Exception {
        gateway.deployApproved(ToolSource.python("feat_py.py", PYTHON));
        String s = initialize(TOKEN, "{}");
        JsonNode py = call(TOKEN, s, "prompts/get", "{\"name\":\"py_prompt\",\"arguments\":{\"who\":\"ada\"}}");
        assertEquals(
                "hello ada",
                py.path("result")
                        .path("messages")
                        .path(0)
                        .path("content")
                        .path("text")
                        .asText(),
                py.toString());
        assertEquals(
                "assistant",
                py.path("result").path("messages").path(0).path("role").asText());
        JsonNode quiet = call(TOKEN, s, "tools/call", "{\"name\":\"feat_py\",\"arguments\":{}}");
        assertEquals(
                "progress False",
                quiet.path("result").path("content").path(0).path("text").asText(),
                quiet.toString());
        JsonNode loud =
                call(TOKEN, s, "tools/call", "{\"name\":\"feat_py\",\"arguments\":{},\"_meta\":{\"progressToken\":7}}");
        assertEquals(
                "progress True",
                loud.path("result").path("content").path(0).path("text").asText(),
                loud.toString());
        JsonNode refused = call(TOKEN, s, "tools/call", "{\"name\":\"feat_py\",\"arguments\":{\"ask\":\"hi\"}}");
        assertTrue(
                refused.path("result").path("isError").asBoolean()
                        && refused.toString().contains("sampling/createMessage is not available"),
                refused.toString());

        String sampling = initialize(TOKEN, "{\"sampling\":{}}");
        BlockingQueue<String> lines = stream(post(
                        TOKEN,
                        sampling,
                        "{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"tools/call\","
                                + "\"params\":{\"name\":\"feat_py\",\"arguments\":{\"ask\":\"from python\"}}}")
                .build());
        JsonNode request = next(
                lines, m -> "sampling/createMessage".equals(m.path("method").asText()));
        answer(
                sampling,
                request.path("id").asText(),
                "{\"role\":\"assistant\",\"content\":{\"type\":\"text\"," + "\"text\":\"py-ok\"},\"model\":\"m\"}");
        JsonNode response = next(lines, m -> m.has("result") || m.has("error"));
        assertEquals(
                "answer py-ok",
                response.path("result").path("content").path(0).path("text").asText(),
                response.toString());
    }

    @Test
    void aTokenSeesOnlyTheResourcesOfToolsItMayCall() throws Exception {
        String s = initialize(TOKEN_DOCS, "{}");
        JsonNode list =
                call(TOKEN_DOCS, s, "resources/list", "{}").path("result").path("resources");
        assertTrue(list.toString().contains("docs://readme"), list.toString());
        assertFalse(list.toString().contains("hidden://"), list.toString());
        JsonNode read = call(TOKEN_DOCS, s, "resources/read", "{\"uri\":\"hidden://secret\"}");
        assertEquals(-32002, read.path("error").path("code").asInt(), read.toString());
        assertFalse(read.toString().contains("the secret"));
        JsonNode prompts =
                call(TOKEN_DOCS, s, "prompts/list", "{}").path("result").path("prompts");
        assertTrue(prompts.toString().contains("\"review\""), prompts.toString());
        assertFalse(prompts.toString().contains("hidden_prompt"), prompts.toString());
    }

    @Test
    void aSubscriberHearsWhenANewVersionServesItsResource() throws Exception {
        String s = initialize(TOKEN, "{}");
        JsonNode sub = call(TOKEN, s, "resources/subscribe", "{\"uri\":\"docs://readme\"}");
        assertTrue(sub.path("result").isObject(), sub.toString());
        BlockingQueue<String> lines = stream(HttpRequest.newBuilder(url)
                .timeout(Duration.ofSeconds(90))
                .GET()
                .header("Authorization", "Bearer " + TOKEN)
                .header("Accept", "text/event-stream")
                .header("Mcp-Session-Id", s)
                .header("MCP-Protocol-Version", "2025-11-25")
                .build());
        assertNotNull(lines.poll(60, TimeUnit.SECONDS), "the stream opened"); // its first keep-alive comment
        gateway.deployApproved(ToolSource.js("feat_docs.mjs", DOCS.replace("VERSION", "two")));
        JsonNode updated = next(
                lines,
                m -> "notifications/resources/updated".equals(m.path("method").asText()));
        assertEquals("docs://readme", updated.path("params").path("uri").asText());
        JsonNode text = call(TOKEN, s, "resources/read", "{\"uri\":\"docs://readme\"}");
        assertTrue(text.toString().contains("Readme two"), text.toString());
        JsonNode unsub = call(TOKEN, s, "resources/unsubscribe", "{\"uri\":\"docs://readme\"}");
        assertTrue(unsub.path("result").isObject(), unsub.toString());
    }

    /**
     * The 2026-07-28 form of a subscription: {@code subscriptions/listen} with
     * {@code resourceSubscriptions}. The acknowledgement names only the URIs the token may see and
     * that exist; the stream carries only what the filter asked for, each message with the listen
     * request's id; a new version serving the URI is announced; the stream's end ends the
     * subscription, and both are in the audit log.
     */
    @Test
    void aListenStreamHearsOnlyWhatItsFilterAskedForAndItsSubscriptionsAreAudited() throws Exception {
        String body = """
                {"jsonrpc":"2.0","id":"listen-1","method":"subscriptions/listen","params":{
                  "_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",
                           "io.modelcontextprotocol/clientCapabilities":{}},
                  "notifications":{"toolsListChanged":true,
                    "resourceSubscriptions":["docs://readme","docs://nope","hidden://secret","docs://readme"]}}}""";
        HttpRequest listen = HttpRequest.newBuilder(url)
                .timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + TOKEN_DOCS)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2026-07-28")
                .header("Mcp-Method", "subscriptions/listen")
                .build();
        java.util.concurrent.CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> response =
                http.sendAsync(listen, HttpResponse.BodyHandlers.ofLines());
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        response.thenAcceptAsync(r -> r.body().forEach(lines::add), readers);
        JsonNode ack = next(lines, m -> true);
        assertEquals(
                "notifications/subscriptions/acknowledged", ack.path("method").asText(), ack.toString());
        assertEquals(
                "listen-1",
                ack.at("/params/_meta/io.modelcontextprotocol~1subscriptionId").asText(),
                ack.toString());
        assertEquals(
                JSON.readTree("{\"toolsListChanged\":true,\"resourceSubscriptions\":[\"docs://readme\"]}"),
                ack.path("params").path("notifications"),
                "unknown and invisible URIs are not honoured: " + ack);

        gateway.deployApproved(ToolSource.js("feat_docs.mjs", DOCS.replace("VERSION", "listen")));
        List<JsonNode> seen = new ArrayList<>();
        JsonNode updated = next(lines, m -> {
            seen.add(m);
            return "notifications/resources/updated".equals(m.path("method").asText());
        });
        assertEquals("docs://readme", updated.path("params").path("uri").asText(), updated.toString());
        assertTrue(
                seen.stream()
                        .anyMatch(m -> "notifications/tools/list_changed"
                                .equals(m.path("method").asText())),
                seen.toString());
        for (JsonNode m : seen) {
            assertEquals(
                    "listen-1",
                    m.at("/params/_meta/io.modelcontextprotocol~1subscriptionId")
                            .asText(),
                    m.toString());
            assertFalse(
                    m.path("method").asText().matches("notifications/(resources|prompts)/list_changed"),
                    "not asked for: " + m);
        }
        java.util.function.Function<String, List<String>> audited = action -> gateway
                .registry()
                .audit()
                .query(new dev.atoll.gateway.audit.AuditQuery(
                        java.util.Optional.empty(),
                        java.util.Optional.empty(),
                        java.util.Optional.of(action),
                        java.util.Optional.empty(),
                        java.util.Optional.empty(),
                        0,
                        1000))
                .stream()
                .filter(r -> r.detail().contains("docs://readme") && r.tenant().equals("tenant-b"))
                .map(r -> r.outcome() + " " + r.detail())
                .toList();
        assertEquals(
                1,
                audited.apply("resource.subscribe").size(),
                audited.apply("resource.subscribe").toString());

        response.join().body().close(); // the client leaves: the server notices at its next write
        org.awaitility.Awaitility.await("the subscription ended with the stream")
                .atMost(Duration.ofSeconds(90))
                .until(() -> audited.apply("resource.unsubscribe").size() == 1);
        assertTrue(
                audited.apply("resource.unsubscribe").getFirst().contains("session_end"),
                audited.apply("resource.unsubscribe").toString());
    }

    static String clash(String name, boolean offers) {
        return """
                export const tool = { name: "%s", description: "Clashing module", inputSchema: { type: "object" },
                  resources: [%s{ uri: "clash://%s", name: "own" }],
                  prompts: [%s{ name: "%s_own", description: "own" }] };
                export default function () { return "x"; }
                export function readResource({ uri }) { return "served by %s"; }
                export function getPrompt() { return { messages: [{ role: "user", content: { type: "text", text: "%s" } }] }; }
                """.formatted(
                        name,
                        offers ? "{ uri: \"clash://same\", name: \"same\" }, " : "",
                        name,
                        offers ? "{ name: \"clash_prompt\", description: \"same\" }, " : "",
                        name,
                        name,
                        name);
    }

    @Test
    void aUriOrPromptTwoModulesOfferIsServedByNeitherUntilOneStops() throws Exception {
        try (dev.atoll.gateway.testing.LogCapture log = new dev.atoll.gateway.testing.LogCapture(
                "dev.atoll.gateway.internal.mcp.Features", new java.util.logging.SimpleFormatter())) {
            gateway.deployApproved(ToolSource.js("clash_a.mjs", clash("clash_a", true)));
            gateway.deployApproved(ToolSource.js("clash_b.mjs", clash("clash_b", true)));
            String s = initialize(TOKEN, "{}");
            String resources = call(TOKEN, s, "resources/list", "{}")
                    .path("result")
                    .path("resources")
                    .toString();
            assertFalse(resources.contains("clash://same"), resources);
            assertTrue(
                    resources.contains("clash://clash_a") && resources.contains("clash://clash_b"),
                    "their other resources are served: " + resources);
            JsonNode read = call(TOKEN, s, "resources/read", "{\"uri\":\"clash://same\"}");
            assertEquals(-32002, read.path("error").path("code").asInt(), read.toString());
            String prompts = call(TOKEN, s, "prompts/list", "{}")
                    .path("result")
                    .path("prompts")
                    .toString();
            assertFalse(prompts.contains("\"clash_prompt\""), prompts);
            assertTrue(prompts.contains("clash_a_own"), prompts);
            JsonNode get = call(TOKEN, s, "prompts/get", "{\"name\":\"clash_prompt\"}");
            assertEquals(-32602, get.path("error").path("code").asInt(), get.toString());
            assertTrue(
                    log.lines().stream()
                            .anyMatch(l -> l.contains("clash://same")
                                    && l.contains("clash_a")
                                    && l.contains("clash_b")
                                    && l.contains("served by none")),
                    log.lines().toString());
            assertTrue(
                    log.lines().stream().anyMatch(l -> l.contains("clash_prompt") && l.contains("served by none")),
                    log.lines().toString());

            // A new version of one module stops offering them: the other module serves both.
            gateway.deployApproved(ToolSource.js("clash_b.mjs", clash("clash_b", false)));
            JsonNode served = call(TOKEN, s, "resources/read", "{\"uri\":\"clash://same\"}");
            assertEquals(
                    "served by clash_a",
                    served.path("result").path("contents").path(0).path("text").asText(),
                    served.toString());
            JsonNode prompt = call(TOKEN, s, "prompts/get", "{\"name\":\"clash_prompt\"}");
            assertTrue(prompt.toString().contains("clash_a"), prompt.toString());
        }
    }

    // ------------------------------------------------------------------------------------------ progress

    @Test
    void progressIsStreamedRateLimitedAndIncreasing() throws Exception {
        String s = initialize(TOKEN, "{}");
        HttpResponse<String> r = rpc(
                TOKEN,
                s,
                "tools/call",
                "{\"name\":\"feat_progress\",\"arguments\":{},\"_meta\":{\"progressToken\":\"p-1\"}}");
        List<JsonNode> all = messages(r);
        List<JsonNode> progress = all.stream()
                .filter(m -> "notifications/progress".equals(m.path("method").asText()))
                .map(m -> m.path("params"))
                .toList();
        assertFalse(progress.isEmpty(), all.toString());
        assertTrue(progress.size() <= MAX_PROGRESS, "rate-limited: " + progress.size());
        double last = -1;
        for (JsonNode p : progress) {
            assertEquals("p-1", p.path("progressToken").asText());
            assertTrue(p.path("progress").asDouble() > last, "strictly increasing: " + progress);
            last = p.path("progress").asDouble();
        }
        assertEquals(500.0, last, "the final one (reaching the total) always goes");
        String text = all.getLast()
                .path("result")
                .path("content")
                .path(0)
                .path("text")
                .asText();
        assertEquals("sent " + progress.size(), text, "what the tool was told matches what was sent");

        JsonNode quiet = call(TOKEN, s, "tools/call", "{\"name\":\"feat_progress\",\"arguments\":{}}");
        assertEquals(
                "sent 0",
                quiet.path("result").path("content").path(0).path("text").asText(),
                "without a progress token nothing is sent");
    }

    // ------------------------------------------------------------------------------------------ sampling

    @Test
    void samplingCrossesTheCallersStreamWithDlpBothWays() throws Exception {
        String s = initialize(TOKEN, "{\"sampling\":{}}");
        BlockingQueue<String> lines = stream(post(
                        TOKEN,
                        s,
                        "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\","
                                + "\"params\":{\"name\":\"feat_sample\",\"arguments\":{\"prompt\":\"key SECRET\"}}}")
                .build());
        JsonNode request = next(
                lines, m -> "sampling/createMessage".equals(m.path("method").asText()));
        String sent = request.path("params")
                .path("messages")
                .path(0)
                .path("content")
                .path("text")
                .asText();
        assertTrue(sent.startsWith("key "), request.toString());
        assertFalse(sent.contains(AWS_KEY), "outbound DLP redacts the request: " + sent);
        answer(
                s,
                request.path("id").asText(),
                "{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"hi there\"}," + "\"model\":\"m\"}");
        JsonNode response = next(lines, m -> m.has("result") || m.has("error"));
        assertEquals(
                "answer: hi there",
                response.path("result").path("content").path(0).path("text").asText(),
                response.toString());

        // The client's answer is scanned inbound: a secret in it is blocked before the guest sees it.
        BlockingQueue<String> again = stream(post(
                        TOKEN,
                        s,
                        "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"tools/call\","
                                + "\"params\":{\"name\":\"feat_sample\",\"arguments\":{\"prompt\":\"hello\"}}}")
                .build());
        JsonNode second = next(
                again, m -> "sampling/createMessage".equals(m.path("method").asText()));
        answer(
                s,
                second.path("id").asText(),
                "{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"" + AWS_KEY
                        + "\"},\"model\":\"m\"}");
        JsonNode blocked = next(again, m -> m.has("result") || m.has("error"));
        String text =
                blocked.path("result").path("content").path(0).path("text").asText();
        assertTrue(text.startsWith("error: ") && text.contains("data loss prevention"), blocked.toString());
        assertFalse(blocked.toString().contains(AWS_KEY));
    }

    @Test
    void samplingFailsCleanlyWithoutTheCapability() throws Exception {
        String s = initialize(TOKEN, "{}");
        JsonNode r = call(TOKEN, s, "tools/call", "{\"name\":\"feat_sample\",\"arguments\":{\"prompt\":\"hi\"}}");
        String text = r.path("result").path("content").path(0).path("text").asText();
        assertTrue(text.startsWith("error: sampling/createMessage is not available"), r.toString());
    }

    @Test
    void anAnswerFromAnotherSessionDoesNotCount() throws Exception {
        String s = initialize(TOKEN, "{\"sampling\":{}}");
        String other = initialize(TOKEN, "{\"sampling\":{}}");
        BlockingQueue<String> lines = stream(post(
                        TOKEN,
                        s,
                        "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"tools/call\","
                                + "\"params\":{\"name\":\"feat_sample\",\"arguments\":{\"prompt\":\"hello\"}}}")
                .build());
        JsonNode request = next(
                lines, m -> "sampling/createMessage".equals(m.path("method").asText()));
        answer(
                other,
                request.path("id").asText(),
                "{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"forged\"}," + "\"model\":\"m\"}");
        answer(
                s,
                request.path("id").asText(),
                "{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"real\"}," + "\"model\":\"m\"}");
        JsonNode response = next(lines, m -> m.has("result") || m.has("error"));
        assertEquals(
                "answer: real",
                response.path("result").path("content").path(0).path("text").asText(),
                response.toString());
    }

    void answer(String session, String id, String result) throws Exception {
        ObjectNode msg = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id);
        msg.set("result", JSON.readTree(result));
        HttpResponse<String> r =
                http.send(post(TOKEN, session, msg.toString()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
    }
}

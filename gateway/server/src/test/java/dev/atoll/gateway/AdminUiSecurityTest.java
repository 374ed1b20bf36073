package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.gateway.registry.Actor;
import dev.atoll.gateway.registry.ToolState;
import dev.atoll.runtime.ToolSource;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin web UI's defences over real HTTP: a failed sign-in gets no session, the cookie is a
 * session id (HttpOnly, SameSite=Strict), not the token; a state-changing form without the CSRF
 * token, or sent from another origin, is refused and changes nothing; every page has a CSP without
 * inline script; the bundled scripts are served from the jar.
 */
class AdminUiSecurityTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    private static Gateway gateway;
    private static String admin;
    private static String base;
    private static final HttpClient HTTP = HttpClient.newHttpClient(); // follows no redirects

    @BeforeAll
    static void start() throws Exception {
        gateway = Gateway.builder()
                .config(GatewayConfig.defaults()
                        .with(Map.of(
                                "mcp.port",
                                "0",
                                "admin.port",
                                "0",
                                "data-dir",
                                Files.createTempDirectory(scratch, "atoll-ui-sec")
                                        .toString(),
                                "examples.deploy",
                                "false")))
                .start();
        admin = gateway.startupTokens().get("ADMIN");
        base = gateway.adminUrl();
        gateway.deploy(ToolSource.js("pending.mjs", """
                export const tool = { name: "pending", description: "waits for review", inputSchema: { type: "object" } };
                export default () => "ok";
                """), Actor.SYSTEM);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private static HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(
            String path, String cookie, Optional<String> origin, Map<String, String> form) throws Exception {
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&")
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        origin.ifPresent(o -> b.header("Origin", o));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Signs in; the session cookie ("name=value"). */
    private static String signIn() throws Exception {
        HttpResponse<String> r = post("/ui/login", null, Optional.of(base), Map.of("token", admin));
        assertEquals(303, r.statusCode(), r.body());
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), setCookie);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        assertFalse(cookie.contains(admin), "the cookie holds a session id, never the token");
        return cookie;
    }

    private static String csrf(String html) {
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(html);
        assertTrue(m.find(), "a CSRF field in the form");
        return m.group(1);
    }

    private static ToolState pendingState() {
        return gateway.registry()
                .tool("pending")
                .orElseThrow()
                .versions()
                .get(0)
                .state();
    }

    @Test
    void aFailedSignInGetsNoSession() throws Exception {
        HttpResponse<String> r = post("/ui/login", null, Optional.of(base), Map.of("token", "atoll_adm_not_a_token"));
        assertEquals(401, r.statusCode());
        assertTrue(
                r.headers().firstValue("Set-Cookie").isEmpty(),
                r.headers().map().toString());
        assertTrue(r.body().contains("That is not an admin token"), r.body());
        HttpResponse<String> page = get("/ui/tools", "atoll_session=made-up");
        assertEquals(303, page.statusCode(), "no session: to the sign-in page");
        assertEquals("/ui/login", page.headers().firstValue("Location").orElseThrow());
    }

    @Test
    void aFormWithoutItsCsrfTokenIsRefusedAndChangesNothing() throws Exception {
        String cookie = signIn();
        HttpResponse<String> r = post("/ui/tools/pending/approve", cookie, Optional.of(base), Map.of("version", "1"));
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("CSRF token is missing or wrong"), r.body());
        HttpResponse<String> wrong =
                post("/ui/tools/pending/approve", cookie, Optional.of(base), Map.of("version", "1", "csrf", "forged"));
        assertEquals(403, wrong.statusCode(), wrong.body());
        assertEquals(ToolState.QUARANTINED, pendingState());
    }

    @Test
    void aFormFromAnotherOriginIsRefusedAndChangesNothing() throws Exception {
        String cookie = signIn();
        String token = csrf(get("/ui/tools/pending/versions/1", cookie).body());
        // A page of another local web app (a loopback origin the listener's DNS-rebinding guard lets through).
        HttpResponse<String> local = post(
                "/ui/tools/pending/reject",
                cookie,
                Optional.of("http://localhost:1"),
                Map.of("version", "1", "csrf", token));
        assertEquals(403, local.statusCode(), local.body());
        assertTrue(local.body().contains("sent from another origin"), local.body());
        HttpResponse<String> foreign = post(
                "/ui/tools/pending/reject",
                cookie,
                Optional.of("https://evil.example"),
                Map.of("version", "1", "csrf", token));
        assertEquals(403, foreign.statusCode(), foreign.body());
        HttpResponse<String> none =
                post("/ui/tools/pending/reject", cookie, Optional.empty(), Map.of("version", "1", "csrf", token));
        assertEquals(403, none.statusCode(), "neither Origin nor Referer: " + none.body());
        assertEquals(ToolState.QUARANTINED, pendingState());
        // A foreign page cannot sign in either (login CSRF).
        assertEquals(
                403,
                post("/ui/login", null, Optional.of("http://localhost:1"), Map.of("token", admin))
                        .statusCode());
    }

    @Test
    void pagesHaveACspWithoutInlineScriptAndTheBundledScriptsAreServed() throws Exception {
        String cookie = signIn();
        for (String page : List.of(
                "/ui/overview",
                "/ui/tools",
                "/ui/tools/pending",
                "/ui/tools/pending/versions/1",
                "/ui/upstreams",
                "/ui/calls",
                "/ui/audit",
                "/ui/login")) {
            HttpResponse<String> r = get(page, cookie);
            assertEquals(200, r.statusCode(), page + ": " + r.body());
            String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
            assertTrue(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), csp);
            assertFalse(
                    Pattern.compile("<script(?![^>]*\\ssrc=)[^>]*>")
                            .matcher(r.body())
                            .find(),
                    page + " has an inline script");
            assertFalse(r.body().contains(" style=\""), page + " has an inline style");
        }
        for (String asset : List.of(
                "/ui/webjars/htmx/dist/htmx.min.js",
                "/ui/webjars/htmx-ext-sse/sse.js",
                "/ui/webjars/uplot/dist/uPlot.iife.min.js",
                "/ui/webjars/uplot/dist/uPlot.min.css",
                "/ui/assets/atoll.js",
                "/ui/assets/atoll.css")) {
            HttpResponse<String> r = get(asset, null);
            assertEquals(200, r.statusCode(), asset);
            assertTrue(r.body().length() > 500, asset + " is " + r.body().length() + " chars");
        }
        assertEquals(404, get("/ui/assets/..%2Fsecret", null).statusCode());
    }

    @Test
    void withItsCsrfTokenFromItsOwnOriginAFormActs() throws Exception {
        gateway.deploy(ToolSource.js("second.mjs", """
                export const tool = { name: "second", description: "also waits", inputSchema: { type: "object" } };
                export default () => "ok";
                """), Actor.SYSTEM);
        String cookie = signIn();
        String token = csrf(get("/ui/tools/second/versions/1", cookie).body());
        HttpResponse<String> r =
                post("/ui/tools/second/approve", cookie, Optional.of(base), Map.of("version", "1", "csrf", token));
        assertEquals(303, r.statusCode(), r.body());
        assertEquals(
                ToolState.APPROVED,
                gateway.registry()
                        .tool("second")
                        .orElseThrow()
                        .versions()
                        .get(0)
                        .state());
        // Signing out ends the session on the server.
        assertEquals(
                303,
                post("/ui/logout", cookie, Optional.of(base), Map.of("csrf", token))
                        .statusCode());
        assertEquals(303, get("/ui/tools", cookie).statusCode());
    }
}

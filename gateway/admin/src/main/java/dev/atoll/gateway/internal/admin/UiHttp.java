package dev.atoll.gateway.internal.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.audit.AuditQuery;
import dev.atoll.gateway.audit.AuditRecord;
import dev.atoll.gateway.audit.VerifyResult;
import dev.atoll.gateway.internal.metrics.CallHistory;
import dev.atoll.gateway.internal.tail.TailBus;
import dev.atoll.gateway.internal.tail.TailEvent;
import dev.atoll.gateway.internal.tail.TailFilter;
import dev.atoll.gateway.internal.tail.TailStream;
import dev.atoll.gateway.registry.Actor;
import dev.atoll.gateway.registry.PoisoningSign;
import dev.atoll.gateway.registry.Principal;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.RegistryException;
import dev.atoll.gateway.registry.TokenKind;
import dev.atoll.gateway.registry.ToolChanges;
import dev.atoll.gateway.registry.ToolInfo;
import dev.atoll.gateway.registry.ToolState;
import dev.atoll.gateway.registry.ToolVersion;
import dev.atoll.gateway.registry.UpstreamInfo;
import dev.atoll.gateway.registry.UpstreamTool;
import dev.atoll.gateway.upstream.internal.UpstreamManager;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The admin web UI at {@code /ui} on the admin listener: server-rendered HTML that reads without
 * JavaScript, with htmx (and its SSE extension) for the live Calls page and uPlot for the overview
 * chart, both served from the WebJars bundled in the jar. Sign-in takes an admin token and keeps it
 * server-side ({@link UiSessions}); the cookie holds only a random session id ({@code HttpOnly},
 * {@code SameSite=Strict}). Every state-changing form carries the session's CSRF token, and a POST
 * must come from this very origin ({@code Origin}, else {@code Referer}). Every page is sent with a
 * CSP that allows scripts and styles from this origin only (no inline script). Actions reuse the
 * admin API's services ({@link AdminHttp}, the registry, the upstream supervisor) in-process.
 */
public final class UiHttp implements HttpService {

    /** The session cookie. */
    static final String COOKIE = "atoll_session";

    /** The CSP of every UI response. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /** Bundled files: URL path below /ui/ to class-path resource. */
    private static final Map<String, String> ASSETS = Map.of(
            "webjars/htmx/dist/htmx.min.js", "META-INF/resources/webjars/htmx.org/2.0.8/dist/htmx.min.js",
            "webjars/htmx-ext-sse/sse.js", "META-INF/resources/webjars/htmx-ext-sse/2.2.2/sse.js",
            "webjars/uplot/dist/uPlot.iife.min.js", "META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.iife.min.js",
            "webjars/uplot/dist/uPlot.min.css", "META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.min.css",
            "assets/atoll.js", "dev/atoll/gateway/internal/admin/ui/atoll.js",
            "assets/atoll.css", "dev/atoll/gateway/internal/admin/ui/atoll.css");

    private final Registry registry;
    private final AdminHttp admin;
    private final UpstreamManager upstreams;
    private final Runnable afterChange;
    private final TailBus tail;
    private final CallHistory stats;
    private final String node;
    private final UiSessions sessions;
    private final ObjectMapper json;
    private final Duration heartbeat;
    private final BooleanSupplier closing;

    /**
     * Creates the UI.
     *
     * @param registry the registry
     * @param admin the admin API (approvals with their poisoning-sign check, effective limits)
     * @param upstreams the upstream supervisor
     * @param afterChange refreshes what MCP serves after a change
     * @param tail the live tail
     * @param stats this node's call statistics
     * @param node this node's id
     * @param sessionIdle idle time that ends a session
     * @param maxSessions most sessions
     * @param json the mapper
     * @param heartbeat keep-alive interval of the Calls stream
     * @param closing true once the gateway closes
     */
    public UiHttp(
            Registry registry,
            AdminHttp admin,
            UpstreamManager upstreams,
            Runnable afterChange,
            TailBus tail,
            CallHistory stats,
            String node,
            Duration sessionIdle,
            int maxSessions,
            ObjectMapper json,
            Duration heartbeat,
            BooleanSupplier closing) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.admin = Objects.requireNonNull(admin, "admin");
        this.upstreams = Objects.requireNonNull(upstreams, "upstreams");
        this.afterChange = Objects.requireNonNull(afterChange, "afterChange");
        this.tail = Objects.requireNonNull(tail, "tail");
        this.stats = Objects.requireNonNull(stats, "stats");
        this.node = Objects.requireNonNull(node, "node");
        this.sessions = new UiSessions(sessionIdle, maxSessions);
        this.json = Objects.requireNonNull(json, "json");
        this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
        this.closing = Objects.requireNonNull(closing, "closing");
    }

    /** A page handler for a signed-in admin. */
    @FunctionalInterface
    private interface Page {
        String render(ServerRequest req, UiSessions.Session s, Actor actor) throws Exception;
    }

    /** A form handler: returns where to go next (a /ui path). */
    @FunctionalInterface
    private interface Action {
        String run(ServerRequest req, Parameters form, Actor actor) throws Exception;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/ui", (req, res) -> redirect(res, "/ui/overview"));
        rules.get("/ui/", (req, res) -> redirect(res, "/ui/overview"));
        rules.get("/ui/login", (req, res) -> html(res, 200, login("")));
        rules.post("/ui/login", this::signIn);
        rules.post("/ui/logout", (req, res) -> {
            Optional<UiSessions.Session> s = session(req);
            Parameters form = req.content().as(Parameters.class);
            if (s.isPresent()
                    && sameOrigin(req).isEmpty()
                    && s.get().csrfMatches(form.first("csrf").orElse(null))) {
                sessions.end(s.get().id());
            }
            res.header(HeaderNames.SET_COOKIE, COOKIE + "=; Path=/ui; Max-Age=0; HttpOnly; SameSite=Strict");
            redirect(res, "/ui/login");
        });
        rules.get(
                "/ui/assets/{file}",
                (req, res) -> asset(res, "assets/" + req.path().pathParameters().get("file")));
        rules.get("/ui/webjars/*", (req, res) -> asset(res, req.path().path().substring("/ui/".length())));
        rules.get("/ui/overview", page(this::overview));
        rules.get("/ui/overview.json", (req, res) -> {
            if (signedIn(req).isEmpty()) {
                res.status(401).send();
                return;
            }
            secure(res);
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(json.writeValueAsBytes(chart()));
        });
        rules.get("/ui/tools", page(this::tools));
        rules.get("/ui/tools/{name}", page(this::tool));
        rules.get("/ui/tools/{name}/versions/{version}", page(this::version));
        for (ToolForm op : ToolForm.values()) {
            rules.post("/ui/tools/{name}/" + op.path, action((req, f, a) -> toolForm(op, name(req), f, a)));
        }
        rules.get("/ui/upstreams", page(this::upstreamsPage));
        rules.post("/ui/upstreams/{name}/approve", action((req, f, a) -> {
            UpstreamInfo u = registry.upstreams().approve(name(req), a);
            upstreams.refresh(u.name());
            afterChange.run();
            event("upstream.approve", u.name(), a, "");
            return "/ui/upstreams";
        }));
        rules.post("/ui/upstreams/{name}/remove", action((req, f, a) -> {
            registry.upstreams().remove(name(req), a);
            upstreams.stop(name(req));
            afterChange.run();
            event("upstream.delete", name(req), a, "");
            return "/ui/upstreams";
        }));
        rules.get("/ui/calls", page(this::calls));
        rules.get("/ui/calls/stream", this::callStream);
        rules.get("/ui/calls/{seq}", page(this::receipt));
        rules.get("/ui/audit", page(this::audit));
        rules.post("/ui/audit/verify", (req, res) -> {
            Optional<UiSessions.Session> s = signedIn(req);
            if (s.isEmpty()) {
                redirect(res, "/ui/login");
                return;
            }
            Parameters form = req.content().as(Parameters.class);
            Optional<String> refused = refusal(req, s.get(), form);
            if (refused.isPresent()) {
                html(res, 403, error(s.get(), refused.get()));
                return;
            }
            VerifyResult r = registry.audit().verify();
            Html h = Html.page("Audit verify", "audit", true, s.get().csrf());
            switch (r) {
                case VerifyResult.Intact i ->
                    h.raw("<p class=\"ok\" id=\"verify-result\">Audit log intact: ")
                            .text(i.checked())
                            .raw(" records, head #")
                            .text(i.head().seq())
                            .raw(" ")
                            .raw("<code>")
                            .text(i.head().hash())
                            .raw("</code></p>");
                case VerifyResult.Broken b ->
                    h.raw("<p class=\"warning\" id=\"verify-result\">Audit log BROKEN at " + "record #")
                            .text(b.seq())
                            .raw(" (")
                            .text(b.problem().name())
                            .raw("): ")
                            .text(b.message())
                            .raw("</p>");
            }
            h.raw("<p><a href=\"/ui/audit\">Back to the audit log</a></p>");
            html(res, 200, h.done());
        });
    }

    /**
     * The state-changing forms of a tool: its URL path segment, the version parameter it needs
     * (empty: none) and whether the catalogue is refreshed after it (approve refreshes itself).
     */
    private enum ToolForm {
        APPROVE("approve", "version", false),
        REJECT("reject", "version", false),
        ROLLBACK("rollback", "to", true),
        DISABLE("disable", "", true),
        ENABLE("enable", "", true);

        final String path;
        final String versionParam;
        final boolean refresh;

        ToolForm(String path, String versionParam, boolean refresh) {
            this.path = path;
            this.versionParam = versionParam;
            this.refresh = refresh;
        }
    }

    /** One tool form: the mutation, the refresh, the tail event; returns where to go next. */
    private String toolForm(ToolForm op, String name, Parameters f, Actor a) {
        int v = op.versionParam.isEmpty()
                ? 0
                : intParam(f.first(op.versionParam).orElse(""), op.versionParam);
        switch (op) {
            case APPROVE -> {
                try {
                    admin.approve(
                            name,
                            v,
                            f.first("acceptWarnings").map("yes"::equals).orElse(false),
                            a);
                } catch (AdminHttp.UnacceptedWarnings e) {
                    throw new Refused(
                            409, e.getMessage() + " (tick \u201cI have reviewed the warnings\u201d to approve anyway)");
                }
            }
            case REJECT -> registry.reject(name, v, a);
            case ROLLBACK -> registry.rollback(name, v, a);
            case DISABLE -> registry.disable(name, a);
            case ENABLE -> registry.enable(name, a);
        }
        if (op.refresh) {
            afterChange.run();
        }
        event(
                "tool." + op.path,
                name,
                a,
                switch (op) {
                    case APPROVE, REJECT -> "v" + v;
                    case ROLLBACK -> "to v" + v;
                    case DISABLE, ENABLE -> "";
                });
        return "/ui/tools/" + enc(name) + (op.versionParam.equals("version") ? "/versions/" + v : "");
    }

    // ---- sign-in, sessions, checks ------------------------------------------------------------

    private String login(String problem) {
        Html h = Html.page("Sign in", "", false, "");
        if (!problem.isEmpty()) {
            h.raw("<p class=\"warning\" id=\"login-error\">").text(problem).raw("</p>");
        }
        return h.raw("<form method=\"post\" action=\"/ui/login\" class=\"stack\">")
                .raw("<label for=\"token\">Admin token</label>")
                .raw("<input type=\"password\" id=\"token\" name=\"token\" autocomplete=\"off\" required>")
                .raw("<button type=\"submit\" id=\"sign-in\">Sign in</button></form>")
                .raw("<p class=\"muted\">The admin token was printed at the gateway's first start (or is in "
                        + "ATOLL_ADMIN_TOKEN). It stays on the server; your browser keeps only a session cookie.</p>")
                .done();
    }

    private void signIn(ServerRequest req, ServerResponse res) {
        Optional<String> origin = sameOrigin(req);
        if (origin.isPresent()) {
            html(res, 403, login(origin.get()));
            return;
        }
        Parameters form = req.content().as(Parameters.class);
        String token = form.first("token").orElse("").trim();
        if (authenticate(token).isEmpty()) {
            html(res, 401, login("That is not an admin token (unknown, revoked, scoped, or an MCP token)."));
            return;
        }
        UiSessions.Session s = sessions.create(token);
        res.header(HeaderNames.SET_COOKIE, COOKIE + "=" + s.id() + "; Path=/ui; HttpOnly; SameSite=Strict");
        redirect(res, "/ui/tools");
    }

    /** An unscoped admin token's actor. */
    private Optional<Actor> authenticate(String token) {
        if (token.isEmpty()) {
            return Optional.empty();
        }
        Optional<Principal> p = registry.tokens().authenticate(TokenKind.ADMIN, token);
        return p.filter(AdminJson::unscoped).map(Actor::of);
    }

    private Optional<UiSessions.Session> session(ServerRequest req) {
        return req.headers().cookies().first(COOKIE).asOptional().flatMap(sessions::find);
    }

    /** The session, if its token is still a valid admin token (a revoked token ends it). */
    private Optional<UiSessions.Session> signedIn(ServerRequest req) {
        Optional<UiSessions.Session> s = session(req);
        if (s.isPresent() && authenticate(s.get().token()).isEmpty()) {
            sessions.end(s.get().id());
            return Optional.empty();
        }
        return s;
    }

    /**
     * Why a POST does not come from this UI's own origin: its {@code Origin} (else its
     * {@code Referer}) must be {@code http(s)://} the request's {@code Host}.
     */
    static Optional<String> sameOrigin(ServerRequest req) {
        String host = req.headers().first(HeaderNames.HOST).orElse("").trim().toLowerCase(Locale.ROOT);
        Optional<String> origin =
                req.headers().first(HeaderNames.ORIGIN).map(o -> o.trim().toLowerCase(Locale.ROOT));
        if (origin.isEmpty()) {
            origin = req.headers().first(HeaderNames.REFERER).map(r -> {
                try {
                    java.net.URI u = java.net.URI.create(r.trim());
                    return (u.getScheme() + "://" + u.getRawAuthority()).toLowerCase(Locale.ROOT);
                } catch (IllegalArgumentException e) {
                    return "";
                }
            });
        }
        if (origin.isEmpty()) {
            return Optional.of("Refused: a form must be sent by a browser page of this UI (no Origin or Referer).");
        }
        String o = origin.get();
        if (host.isEmpty() || !(o.equals("http://" + host) || o.equals("https://" + host))) {
            return Optional.of("Refused: this form was sent from another origin (" + o + "), not from this UI.");
        }
        return Optional.empty();
    }

    /** Why a state-changing form of session {@code s} is refused: origin, then CSRF token. */
    private static Optional<String> refusal(ServerRequest req, UiSessions.Session s, Parameters form) {
        Optional<String> origin = sameOrigin(req);
        if (origin.isPresent()) {
            return origin;
        }
        if (!s.csrfMatches(form.first("csrf").orElse(null))) {
            return Optional.of("Refused: the form's CSRF token is missing or wrong. Reload the page and try again.");
        }
        return Optional.empty();
    }

    private io.helidon.webserver.http.Handler page(Page p) {
        return (req, res) -> {
            Optional<UiSessions.Session> s = signedIn(req);
            if (s.isEmpty()) {
                redirect(res, "/ui/login");
                return;
            }
            try {
                Actor actor = authenticate(s.get().token()).orElseThrow();
                html(res, 200, p.render(req, s.get(), actor));
            } catch (RegistryException e) {
                html(res, e.reason() == RegistryException.Reason.NOT_FOUND ? 404 : 409, error(s.get(), e.getMessage()));
            } catch (Refused e) {
                html(res, e.status, error(s.get(), e.getMessage()));
            }
        };
    }

    private io.helidon.webserver.http.Handler action(Action a) {
        return (req, res) -> {
            Optional<UiSessions.Session> s = signedIn(req);
            if (s.isEmpty()) {
                redirect(res, "/ui/login");
                return;
            }
            Parameters form = req.content().as(Parameters.class);
            Optional<String> refused = refusal(req, s.get(), form);
            if (refused.isPresent()) {
                html(res, 403, error(s.get(), refused.get()));
                return;
            }
            try {
                redirect(res, a.run(req, form, authenticate(s.get().token()).orElseThrow()));
            } catch (RegistryException e) {
                html(res, e.reason() == RegistryException.Reason.NOT_FOUND ? 404 : 409, error(s.get(), e.getMessage()));
            } catch (Refused e) {
                html(res, e.status, error(s.get(), e.getMessage()));
            }
        };
    }

    /** The error page; an exception's message may be null (shown as {@code null}). */
    private String error(UiSessions.Session s, @Nullable String message) {
        return Html.page("Not done", "", true, s.csrf())
                .raw("<p class=\"warning\" id=\"error\">")
                .text(String.valueOf(message))
                .raw("</p><p>Use the browser's Back button, or go to <a href=\"/ui/tools\">Tools</a>.</p>")
                .done();
    }

    private void event(String action, String target, Actor a, String detail) {
        tail.publish(new TailEvent.Admin(Instant.now(), node, action, target, a.id(), detail));
    }

    // ---- pages ----------------------------------------------------------------------------------

    private String overview(ServerRequest req, UiSessions.Session s, Actor a) {
        CallHistory.Summary sum = stats.summary();
        Html h = Html.page("Overview", "overview", true, s.csrf());
        h.raw("<p class=\"muted\">This node (")
                .text(node)
                .raw("), the last hour, from its own meters "
                        + "(<code>atoll_tool_calls_seconds</code>, <code>atoll_pool_warm_hits_total</code>, "
                        + "<code>atoll_pool_cold_starts_total</code>; sampled every 5 s).</p>");
        h.raw("<table class=\"kv\" id=\"summary\">")
                .row("calls", sum.calls())
                .row("calls/s (hour average)", String.format(Locale.ROOT, "%.2f", sum.calls() / 3600.0))
                .row("p50 latency", String.format(Locale.ROOT, "%.1f ms", sum.p50Ms()))
                .row("p99 latency", String.format(Locale.ROOT, "%.1f ms", sum.p99Ms()))
                .row(
                        "cold-start share",
                        String.format(Locale.ROOT, "%.1f %% (%d cold starts)", 100 * sum.coldShare(), sum.coldStarts()))
                .row("pool warm hits", sum.warmHits())
                .raw("</table>");
        h.raw("<h2>Outcomes</h2><table id=\"outcomes\"><tr><th>outcome</th><th>calls</th></tr>");
        sum.outcomes().forEach((k, v) -> h.row(k, v));
        h.raw("</table><h2>Calls per minute</h2>")
                .raw("<div id=\"chart\" data-src=\"/ui/overview.json\"></div>")
                .raw(
                        "<table id=\"minutes\"><tr><th>minute (UTC)</th><th>calls/s</th><th>p50 ms</th><th>p99 ms</th></tr>");
        for (CallHistory.Point p : sum.points()) {
            if (p.callsPerSecond() > 0) {
                h.row(
                        Instant.ofEpochSecond(p.epochSecond()).toString().substring(11, 16),
                        String.format(Locale.ROOT, "%.2f", p.callsPerSecond()),
                        String.format(Locale.ROOT, "%.1f", p.p50Ms()),
                        String.format(Locale.ROOT, "%.1f", p.p99Ms()));
            }
        }
        return h.raw("</table>").done();
    }

    /** The chart's data: uPlot's column arrays (time, calls/s, p50, p99), and the hour's summary. */
    private ObjectNode chart() {
        CallHistory.Summary sum = stats.summary();
        ObjectNode n = json.createObjectNode();
        ArrayNode t = n.putArray("t");
        ArrayNode rate = n.putArray("rate");
        ArrayNode p50 = n.putArray("p50");
        ArrayNode p99 = n.putArray("p99");
        for (CallHistory.Point p : sum.points()) {
            t.add(p.epochSecond());
            rate.add(p.callsPerSecond());
            p50.add(p.p50Ms());
            p99.add(p.p99Ms());
        }
        ObjectNode hour = n.putObject("hour");
        hour.put("calls", sum.calls())
                .put("p50Ms", sum.p50Ms())
                .put("p99Ms", sum.p99Ms())
                .put("coldStarts", sum.coldStarts())
                .put("warmHits", sum.warmHits())
                .put("coldShare", sum.coldShare());
        ObjectNode outcomes = hour.putObject("outcomes");
        sum.outcomes().forEach(outcomes::put);
        return n;
    }

    private String tools(ServerRequest req, UiSessions.Session s, Actor a) {
        Html h = Html.page("Tools", "tools", true, s.csrf());
        h.raw("<table id=\"tools\"><tr><th>tool</th><th>source</th><th>serving</th><th>enabled</th>"
                + "<th>versions</th></tr>");
        for (ToolInfo t : registry.list()) {
            h.raw("<tr><td><a href=\"/ui/tools/")
                    .text(enc(t.name()))
                    .raw("\">")
                    .text(t.name())
                    .raw("</a></td><td>")
                    .text(t.source())
                    .raw("</td><td>")
                    .text(t.servingVersion().map(v -> "v" + v).orElse("none"))
                    .raw("</td><td>")
                    .text(t.enabled() ? "yes" : "no")
                    .raw("</td><td>");
            for (ToolVersion v : t.versions()) {
                h.raw("<a class=\"state ")
                        .text(v.state().name().toLowerCase(Locale.ROOT))
                        .raw("\" href=\"/ui/tools/")
                        .text(enc(t.name()))
                        .raw("/versions/")
                        .text(v.version())
                        .raw("\">v")
                        .text(v.version())
                        .raw(" ")
                        .text(v.state().name().toLowerCase(Locale.ROOT))
                        .raw("</a> ");
            }
            h.raw("</td></tr>");
        }
        return h.raw("</table>").done();
    }

    private String tool(ServerRequest req, UiSessions.Session s, Actor a) {
        ToolInfo t = registry.tool(name(req))
                .orElseThrow(
                        () -> new RegistryException(RegistryException.Reason.NOT_FOUND, "no tool named " + name(req)));
        Html h = Html.page("Tool " + t.name(), "tools", true, s.csrf());
        h.raw("<table class=\"kv\">")
                .row("source", t.source())
                .row("serving", t.servingVersion().map(v -> "v" + v).orElse("none"))
                .row("enabled", t.enabled() ? "yes" : "no")
                .raw("</table>");
        String base = "/ui/tools/" + Html.esc(enc(t.name()));
        h.raw("<form method=\"post\" action=\"")
                .raw(base)
                .raw(t.enabled() ? "/disable" : "/enable")
                .raw("\" class=\"inline\">")
                .csrf(s.csrf())
                .raw("<button type=\"submit\">")
                .raw(t.enabled() ? "Disable" : "Enable")
                .raw("</button></form>");
        h.raw("<h2>Versions</h2><table id=\"versions\"><tr><th>version</th><th>state</th><th>created</th><th>by</th>"
                + "<th>decided by</th><th></th></tr>");
        for (ToolVersion v : t.versions()) {
            h.raw("<tr><td><a href=\"")
                    .raw(base)
                    .raw("/versions/")
                    .text(v.version())
                    .raw("\">v")
                    .text(v.version())
                    .raw("</a></td><td>")
                    .text(v.state().name().toLowerCase(Locale.ROOT))
                    .raw("</td><td>")
                    .text(v.createdAt())
                    .raw("</td><td>")
                    .text(v.createdBy())
                    .raw("</td><td>")
                    .text(v.decidedBy().orElse(""))
                    .raw("</td><td>");
            if (v.state() == ToolState.APPROVED && !t.servingVersion().equals(Optional.of(v.version()))) {
                h.raw("<form method=\"post\" action=\"")
                        .raw(base)
                        .raw("/rollback\" class=\"inline\">")
                        .csrf(s.csrf())
                        .raw("<input type=\"hidden\" name=\"to\" value=\"")
                        .text(v.version())
                        .raw("\"><button type=\"submit\">Serve this version (rollback)</button></form>");
            }
            h.raw("</td></tr>");
        }
        return h.raw("</table>").done();
    }

    private String version(ServerRequest req, UiSessions.Session s, Actor a) {
        String name = name(req);
        int version = intParam(req.path().pathParameters().get("version"), "version");
        ToolInfo t = registry.tool(name)
                .orElseThrow(() -> new RegistryException(RegistryException.Reason.NOT_FOUND, "no tool named " + name));
        ToolVersion v = t.versions().stream()
                .filter(x -> x.version() == version)
                .findFirst()
                .orElseThrow(() ->
                        new RegistryException(RegistryException.Reason.NOT_FOUND, name + " has no version " + version));
        ToolChanges c = registry.changes(name, version);
        String base = "/ui/tools/" + Html.esc(enc(name));
        Html h = Html.page(name + " v" + version, "tools", true, s.csrf());
        h.raw("<p><a href=\"").raw(base).raw("\">All versions of ").text(name).raw("</a></p>");
        h.raw("<table class=\"kv\" id=\"version\">")
                .row("state", v.state().name().toLowerCase(Locale.ROOT))
                .row("file", v.fileName())
                .row("digest", v.digest())
                .row("created", v.createdAt() + " by " + v.createdBy())
                .row(
                        "decided",
                        v.decidedAt()
                                .map(d -> d + " by " + v.decidedBy().orElse(""))
                                .orElse("not yet"))
                .row("description", v.description())
                .raw("</table>");
        if (!c.signs().isEmpty()) {
            h.raw("<div class=\"warning\" id=\"warnings\"><h2>Poisoning warnings (")
                    .text(c.signs().size())
                    .raw(")</h2><ul>");
            for (PoisoningSign sign : c.signs()) {
                h.raw("<li><strong>")
                        .text(sign.kind().name())
                        .raw("</strong> in <code>")
                        .text(sign.location())
                        .raw("</code>: <mark>")
                        .text(sign.evidence())
                        .raw("</mark></li>");
            }
            h.raw("</ul></div>");
        }
        if (v.state() == ToolState.QUARANTINED) {
            h.raw("<div class=\"actions\"><form method=\"post\" action=\"")
                    .raw(base)
                    .raw("/approve\" id=\"approve-form\">")
                    .csrf(s.csrf())
                    .raw("<input type=\"hidden\" name=\"version\" value=\"")
                    .text(version)
                    .raw("\">");
            if (!c.signs().isEmpty()) {
                h.raw("<label><input type=\"checkbox\" name=\"acceptWarnings\" value=\"yes\" id=\"accept-warnings\"> "
                        + "I have reviewed the warnings and approve anyway</label> ");
            }
            h.raw("<button type=\"submit\" id=\"approve\">Approve v")
                    .text(version)
                    .raw("</button></form>")
                    .raw("<form method=\"post\" action=\"")
                    .raw(base)
                    .raw("/reject\">")
                    .csrf(s.csrf())
                    .raw("<input type=\"hidden\" name=\"version\" value=\"")
                    .text(version)
                    .raw("\"><button type=\"submit\" id=\"reject\">Reject v")
                    .text(version)
                    .raw("</button></form></div>");
        }
        h.raw("<h2>Changes against ")
                .text(c.comparedTo().map(x -> "approved v" + x).orElse("nothing (first version)"))
                .raw("</h2>");
        if (c.changes().isEmpty()) {
            h.raw("<p class=\"muted\">No changes.</p>");
        } else {
            h.raw("<table id=\"diff\"><tr><th>field</th><th>key</th><th>before</th><th>after</th></tr>");
            for (ToolChanges.Change ch : c.changes()) {
                boolean flagged = c.signs().stream()
                        .anyMatch(sg -> sg.location()
                                .toLowerCase(Locale.ROOT)
                                .contains(ch.field()
                                        .name()
                                        .toLowerCase(Locale.ROOT)
                                        .replace("_", "")));
                h.raw(flagged ? "<tr class=\"flagged\">" : "<tr>")
                        .raw("<td>")
                        .text(ch.field().name())
                        .raw("</td><td>")
                        .text(ch.key())
                        .raw("</td><td><pre class=\"before\">")
                        .text(pretty(ch.before()))
                        .raw("</pre></td><td><pre class=\"after\">")
                        .text(pretty(ch.after()))
                        .raw("</pre></td></tr>");
            }
            h.raw("</table>");
        }
        ObjectNode manifest = v.manifest();
        h.raw("<h2>Egress</h2><p>");
        if (manifest.path("egress").isEmpty()) {
            h.raw("none: fetch reaches no host");
        }
        manifest.path("egress").forEach(e -> h.raw("<code>").text(e.asText()).raw("</code> "));
        h.raw("</p><h2>Secrets</h2><p>");
        if (manifest.path("secrets").isEmpty()) {
            h.raw("none");
        }
        manifest.path("secrets")
                .fieldNames()
                .forEachRemaining(n -> h.raw("<code>").text(n).raw("</code> "));
        h.raw("</p><h2>Effective limits</h2><table class=\"kv\" id=\"limits\">");
        ObjectNode limits = admin.limits(manifest.path("limits"));
        limits.path("effective")
                .properties()
                .forEach(e -> h.row(e.getKey(), e.getValue().asText()));
        h.raw("</table>");
        if (!limits.path("capped").isEmpty()) {
            h.raw("<p class=\"warning\">Capped by the operator's maxima: ")
                    .text(limits.path("capped").toString())
                    .raw("</p>");
        }
        h.raw("<h2>Manifest</h2><pre id=\"manifest\">")
                .text(manifest.toPrettyString())
                .raw("</pre>");
        h.raw("<h2>Code</h2><pre id=\"code\">")
                .text(registry.code(name, version).orElse("(not stored)"))
                .raw("</pre>");
        return h.done();
    }

    private static String pretty(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() ? "" : n.isTextual() ? n.asText() : n.toPrettyString();
    }

    private String upstreamsPage(ServerRequest req, UiSessions.Session s, Actor a) {
        Html h = Html.page("Upstreams", "upstreams", true, s.csrf());
        List<UpstreamInfo> all = registry.upstreams().list();
        if (all.isEmpty()) {
            h.raw("<p class=\"muted\">No upstream MCP servers (atoll upstream add).</p>");
        }
        for (UpstreamInfo u : all) {
            UpstreamManager.Status st = upstreams.status(u.name());
            String base = "/ui/upstreams/" + Html.esc(enc(u.name()));
            h.raw("<section class=\"upstream\"><h2>")
                    .text(u.name())
                    .raw("</h2><table class=\"kv\">")
                    .row("kind", u.spec().kind().id())
                    .row("approved", u.approved() ? "yes" : "no (quarantined)")
                    .row("state", st.state().id())
                    .row("restarts", st.restarts())
                    .row("process", st.process())
                    .row("last error", st.lastError())
                    .raw("</table>");
            h.raw("<div class=\"actions\">");
            h.raw("<form method=\"post\" action=\"")
                    .raw(base)
                    .raw("/approve\" class=\"inline\">")
                    .csrf(s.csrf())
                    .raw("<button type=\"submit\">Approve current tools (pin)</button></form>");
            h.raw("<form method=\"post\" action=\"")
                    .raw(base)
                    .raw("/remove\" class=\"inline\">")
                    .csrf(s.csrf())
                    .raw("<button type=\"submit\">Remove</button></form></div>");
            h.raw("<h3>Tools</h3><table><tr><th>tool</th><th>state</th><th>reported</th><th>pinned</th>"
                    + "<th>warnings</th></tr>");
            for (UpstreamTool t : u.tools()) {
                boolean drift =
                        t.pinnedDigest().isPresent() && !t.pinnedDigest().get().equals(t.digest());
                h.raw(t.state().name().equals("PULLED") || !t.signs().isEmpty() ? "<tr class=\"flagged\">" : "<tr>")
                        .raw("<td>")
                        .text(t.name())
                        .raw("</td><td>")
                        .text(t.state().name().toLowerCase(Locale.ROOT))
                        .raw("</td><td>")
                        .text(t.present() ? "yes" : "no")
                        .raw("</td><td>")
                        .text(t.pinnedDigest()
                                .map(d -> d.substring(0, Math.min(12, d.length()))
                                        + (drift ? " (definition changed)" : ""))
                                .orElse("not pinned"))
                        .raw("</td><td>");
                t.signs().forEach(sg -> h.text(sg.kind().name() + " in " + sg.location() + "; "));
                h.raw("</td></tr>");
            }
            h.raw("</table><h3>Last stderr lines</h3><pre class=\"logs\">");
            upstreams.logs(u.name(), 20).forEach(l -> h.text(l).raw("\n"));
            h.raw("</pre></section>");
        }
        return h.done();
    }

    private String calls(ServerRequest req, UiSessions.Session s, Actor a) {
        TailFilter f = filter(req);
        Html h = Html.page("Calls", "calls", true, s.csrf());
        h.raw("<form method=\"get\" action=\"/ui/calls\" class=\"filters\" id=\"filters\">");
        for (String[] field : new String[][] {
            {"tool", f.tool().orElse("")},
            {"tenant", f.tenant().orElse("")},
            {"outcome", f.outcome().orElse("")},
            {"node", f.node().orElse("")}
        }) {
            h.raw("<label>")
                    .raw(field[0])
                    .raw(" <input name=\"")
                    .raw(field[0])
                    .raw("\" value=\"")
                    .text(field[1])
                    .raw("\"></label> ");
        }
        h.raw("<button type=\"submit\">Filter</button></form>");
        String stream = "/ui/calls/stream" + query(req);
        h.raw("<p class=\"muted\">Newest first. Live: new calls appear as they finish (with JavaScript); without it, "
                + "reload.</p>");
        h.raw("<div hx-ext=\"sse\" sse-connect=\"")
                .text(stream)
                .raw("\" id=\"live\">")
                .raw("<table id=\"calls\"><thead><tr><th>time</th><th>node</th><th>tenant</th><th>tool</th>"
                        + "<th>backend</th><th>outcome</th><th>latency</th><th>cpu</th><th>memory</th><th>egress</th>"
                        + "<th>dlp</th></tr></thead><tbody sse-swap=\"call\" hx-swap=\"afterbegin\" id=\"call-rows\">");
        List<TailEvent.Call> recent = new ArrayList<>();
        long last = tail.lastCallSeq();
        for (long seq = last; seq > Math.max(0, last - tail.recentCapacity()) && recent.size() < 100; seq--) {
            tail.call(seq).filter(f::matches).ifPresent(recent::add);
        }
        recent.forEach(c -> h.raw(row(c)));
        return h.raw("</tbody></table></div>").done();
    }

    /** One call as a table row (the Calls page and its SSE stream). */
    private static String row(TailEvent.Call c) {
        Html r = Html.empty();
        r.raw("<tr class=\"call ")
                .text(c.outcome())
                .raw("\"><td><a href=\"/ui/calls/")
                .text(c.seq())
                .raw("\">")
                .text(c.at().toString().substring(11, 23))
                .raw("</a></td><td>")
                .text(c.node())
                .raw("</td><td>")
                .text(c.tenant())
                .raw("</td><td>")
                .text(c.tool() + "@" + c.version())
                .raw("</td><td>")
                .text(c.backend())
                .raw("</td><td>")
                .text(c.outcome())
                .raw("</td><td>")
                .text(String.format(Locale.ROOT, "%.1f ms", c.latencyMicros() / 1000.0))
                .raw("</td><td>")
                .text(String.format(Locale.ROOT, "%.1f ms", c.cpuMicros() / 1000.0))
                .raw("</td><td>")
                .text(c.allocatedBytes() >> 10)
                .raw(" KB</td><td>")
                .text(String.join(", ", c.egressHosts()))
                .raw("</td><td>")
                .text(String.join(", ", c.dlpRules()))
                .raw("</td></tr>");
        return r.fragment();
    }

    private void callStream(ServerRequest req, ServerResponse res) throws IOException {
        if (signedIn(req).isEmpty()) {
            res.status(401).send();
            return;
        }
        Optional<TailBus.Subscription> sub = tail.subscribe(filter(req));
        if (sub.isEmpty()) {
            res.status(503).send("too many live tail streams (tail.max-subscribers)");
            return;
        }
        secure(res);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        try (OutputStream out = res.outputStream()) {
            TailStream.stream(sub.get(), out, e -> e instanceof TailEvent.Call c ? row(c) : "", heartbeat, closing);
        } catch (java.io.UncheckedIOException e) {
            // the browser went away
        }
    }

    private String receipt(ServerRequest req, UiSessions.Session s, Actor a) {
        long seq;
        try {
            seq = Long.parseLong(req.path().pathParameters().get("seq"));
        } catch (NumberFormatException e) {
            throw new Refused(400, "a call number is an integer");
        }
        TailEvent.Call c = tail.call(seq)
                .orElseThrow(() -> new Refused(
                        404,
                        "call #" + seq
                                + " is not kept any more (tail.recent-calls); its audit record is in the audit log"));
        Html h = Html.page("Call #" + seq, "calls", true, s.csrf());
        h.raw("<table class=\"kv\" id=\"receipt\">")
                .row("time", c.at())
                .row("node", c.node())
                .row("tenant", c.tenant())
                .row("tool", c.tool() + "@" + c.version())
                .row("backend", c.backend())
                .row("outcome", c.outcome())
                .row("latency", String.format(Locale.ROOT, "%.3f ms", c.latencyMicros() / 1000.0))
                .row("guest CPU", String.format(Locale.ROOT, "%.3f ms", c.cpuMicros() / 1000.0))
                .row("guest wall", String.format(Locale.ROOT, "%.3f ms", c.wallMicros() / 1000.0))
                .row("memory allocated", c.allocatedBytes() + " bytes")
                .row("egress hosts", c.egressHosts().isEmpty() ? "none" : String.join(", ", c.egressHosts()))
                .row("DLP rules matched", c.dlpRules().isEmpty() ? "none" : String.join(", ", c.dlpRules()))
                .raw("</table><h2>Console (after DLP)</h2><pre id=\"console\">");
        c.console().forEach(l -> h.text(l).raw("\n"));
        if (c.consoleTruncated()) {
            h.raw("... (cut: tail.console-chars)");
        }
        return h.raw("</pre>").done();
    }

    private String audit(ServerRequest req, UiSessions.Session s, Actor a) {
        var q = req.query();
        Optional<String> tool = q.first("tool").asOptional().filter(x -> !x.isBlank());
        Optional<String> tenant = q.first("tenant").asOptional().filter(x -> !x.isBlank());
        Optional<String> action = q.first("action").asOptional().filter(x -> !x.isBlank());
        long after = q.first("after")
                .asOptional()
                .map(x -> (long) intParam(x, "after"))
                .orElse(0L);
        int limit = 50;
        registry.audit().flush();
        List<AuditRecord> records = registry.audit()
                .query(new AuditQuery(
                        tool, tenant, action, Optional.empty(), Optional.empty(), Math.max(0, after), limit));
        Html h = Html.page("Audit", "audit", true, s.csrf());
        h.raw("<form method=\"post\" action=\"/ui/audit/verify\" class=\"inline\">")
                .csrf(s.csrf())
                .raw("<button type=\"submit\" id=\"verify\">Verify the hash chain</button></form>");
        h.raw("<form method=\"get\" action=\"/ui/audit\" class=\"filters\">");
        for (String[] field :
                new String[][] {{"tool", tool.orElse("")}, {"tenant", tenant.orElse("")}, {"action", action.orElse("")}
                }) {
            h.raw("<label>")
                    .raw(field[0])
                    .raw(" <input name=\"")
                    .raw(field[0])
                    .raw("\" value=\"")
                    .text(field[1])
                    .raw("\"></label> ");
        }
        h.raw("<button type=\"submit\">Filter</button></form>");
        h.raw("<table id=\"audit\"><tr><th>#</th><th>time</th><th>actor</th><th>action</th><th>tool</th>"
                + "<th>tenant</th><th>outcome</th><th>detail</th></tr>");
        long last = after;
        for (AuditRecord r : records) {
            JsonNode n;
            try {
                n = json.readTree(r.toJsonLine());
            } catch (IOException e) {
                continue;
            }
            last = n.path("seq").asLong();
            h.row(
                    n.path("seq").asLong(),
                    n.path("at").asText(),
                    n.path("actor").asText(),
                    n.path("action").asText(),
                    n.path("tool").asText()
                            + (n.path("version").canConvertToInt()
                                    ? " v" + n.path("version").asInt()
                                    : ""),
                    n.path("tenant").asText(),
                    n.path("outcome").asText(),
                    n.path("detail").isEmpty() ? "" : n.path("detail").toString());
        }
        h.raw("</table>");
        if (records.size() == limit) {
            StringBuilder next = new StringBuilder("/ui/audit?after=").append(last);
            tool.ifPresent(x -> next.append("&tool=").append(enc(x)));
            tenant.ifPresent(x -> next.append("&tenant=").append(enc(x)));
            action.ifPresent(x -> next.append("&action=").append(enc(x)));
            h.raw("<p><a id=\"next\" href=\"").text(next).raw("\">Next page</a></p>");
        }
        return h.done();
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static TailFilter filter(ServerRequest req) {
        try {
            return TailHttp.filter(req);
        } catch (IllegalArgumentException e) {
            throw new Refused(400, e.getMessage());
        }
    }

    private static String query(ServerRequest req) {
        StringBuilder b = new StringBuilder();
        for (String k : List.of("tool", "tenant", "outcome", "node")) {
            req.query()
                    .first(k)
                    .asOptional()
                    .filter(v -> !v.isBlank())
                    .ifPresent(v -> b.append(b.isEmpty() ? '?' : '&')
                            .append(k)
                            .append('=')
                            .append(enc(v)));
        }
        return b.toString();
    }

    private static String name(ServerRequest req) {
        return req.path().pathParameters().get("name");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static int intParam(String s, String what) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new Refused(400, what + " must be an integer, got '" + s + "'");
        }
    }

    private static void secure(ServerResponse res) {
        res.header("Content-Security-Policy", CSP);
        res.header("X-Content-Type-Options", "nosniff");
        res.header("X-Frame-Options", "DENY");
        res.header("Referrer-Policy", "same-origin");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
    }

    private static void html(ServerResponse res, int status, String body) {
        secure(res);
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.send(body.getBytes(StandardCharsets.UTF_8));
    }

    private static void redirect(ServerResponse res, String to) {
        secure(res);
        res.status(303);
        res.header(HeaderNames.LOCATION, to);
        res.send();
    }

    private static void asset(ServerResponse res, String path) throws IOException {
        String resource = ASSETS.get(path);
        byte[] bytes = resource == null ? null : read(resource);
        if (bytes == null) {
            res.status(404).send();
            return;
        }
        res.header("X-Content-Type-Options", "nosniff");
        res.header(HeaderNames.CACHE_CONTROL, "max-age=3600");
        res.header(
                HeaderNames.CONTENT_TYPE,
                path.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8");
        res.send(bytes);
    }

    /** A bundled file: this module's own, or a WebJar's (META-INF is open in every module). */
    private static byte @Nullable [] read(String resource) throws IOException { // null: not found
        InputStream in = resource.startsWith("dev/") ? UiHttp.class.getModule().getResourceAsStream(resource) : null;
        if (in == null) {
            ClassLoader cl = UiHttp.class.getClassLoader();
            in = cl == null ? ClassLoader.getSystemResourceAsStream(resource) : cl.getResourceAsStream(resource);
        }
        if (in == null) {
            in = ClassLoader.getSystemResourceAsStream(resource);
        }
        if (in == null) {
            return null;
        }
        try (InputStream body = in) {
            return body.readAllBytes();
        }
    }

    /** A refusal with its HTTP status; the message is safe to show. */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient int status;

        Refused(int status, @Nullable String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }
}

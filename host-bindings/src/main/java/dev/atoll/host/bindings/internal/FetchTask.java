package dev.atoll.host.bindings.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.host.bindings.EgressDecision;
import dev.atoll.host.bindings.HttpHeader;
import dev.atoll.host.bindings.InspectedRequest;
import dev.atoll.host.bindings.InspectedResponse;
import dev.atoll.host.bindings.InspectionVerdict;
import dev.atoll.host.bindings.pinning.Pin;
import dev.atoll.runtime.EgressRecord;
import dev.atoll.runtime.spi.PendingOperation;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpField;
import org.jspecify.annotations.Nullable;

/**
 * One {@code fetch}: the egress check, secret checks, inspection and the exchange of every hop, run on
 * a virtual thread; a timer ends it at its deadline whatever it is blocked in (a resolver, an
 * inspector, a slow server). It finishes exactly once: with a response for the guest or an error, and
 * one receipt entry.
 */
final class FetchTask {
    private static final Logger LOG = Logger.getLogger(FetchTask.class.getName());
    /** Request headers the binding sets itself or that would change the framing; the guest's are dropped. */
    private static final Set<String> DROPPED = Set.of(
            "host",
            "content-length",
            "transfer-encoding",
            "connection",
            "keep-alive",
            "upgrade",
            "te",
            "trailer",
            "expect",
            "accept-encoding",
            "proxy-authorization",
            "proxy-connection");

    private final FetchCall call;
    private final PendingOperation op;
    private final long start;
    private final long deadline;
    private final String url;
    private final String originalMethod;
    private final List<HttpHeader> headers;
    private final byte[] body;
    private final String redirect;
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile @Nullable Request current;
    private volatile @Nullable Future<?> worker;
    private volatile @Nullable ScheduledFuture<?> timeout;
    private volatile String host;
    private volatile int status;
    private volatile long sent;
    private volatile long received;

    FetchTask(
            FetchCall call,
            PendingOperation op,
            long start,
            String url,
            String method,
            List<HttpHeader> headers,
            byte[] body,
            long timeoutMs,
            String redirect) {
        this.call = call;
        this.op = op;
        this.start = start;
        long budget = call.engine.settings.requestTimeout().toNanos();
        if (timeoutMs > 0) {
            budget = Math.min(budget, TimeUnit.MILLISECONDS.toNanos(timeoutMs));
        }
        long d = start + budget;
        this.deadline = d - call.scope.deadlineNanos() > 0 ? call.scope.deadlineNanos() : d;
        this.url = url;
        this.originalMethod = method;
        this.headers = headers;
        this.body = body;
        this.redirect = redirect;
        this.host = hostOf(url);
    }

    void start() {
        long left = deadline - System.nanoTime();
        timeout = call.engine.timer.schedule(this::deadlineReached, Math.max(0, left), TimeUnit.NANOSECONDS);
        worker = call.engine.workers.submit(this::run);
    }

    /** The fetch's own timeout, or the call's wall deadline if that comes first. */
    private void deadlineReached() {
        if (deadline == call.scope.deadlineNanos()) {
            abort("aborted", "fetch to " + host + " aborted: the call reached its wall-time limit");
        } else {
            abort(
                    "timeout",
                    "fetch to " + host + " timed out after " + TimeUnit.NANOSECONDS.toMillis(deadline - start) + " ms");
        }
    }

    /** Ends the fetch from outside (its deadline, or the end of the call): records and aborts. */
    void abort(String result, String message) {
        if (finish(result, error(message))) {
            Request r = current;
            if (r != null) {
                var _ = r.abort(new java.util.concurrent.CancellationException(message)); // outcome not needed
            }
            Future<?> w = worker;
            if (w != null) {
                w.cancel(true);
            }
        }
    }

    private void run() {
        try {
            hops();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "fetch failed inside Atoll: " + e.getClass().getName());
            finish("failed", error("fetch to " + host + " failed inside Atoll"));
        }
    }

    private void hops() {
        var settings = call.engine.settings;
        EgressDecision decision = settings.policy().check(url, call.scope.egress(), settings.resolver());
        String method = originalMethod;
        List<HttpHeader> hopHeaders = headers;
        byte[] hopBody = body;
        int redirects = 0;
        while (!finished.get()) {
            if (decision instanceof EgressDecision.Denied d) {
                finish(d.reason().name().toLowerCase(Locale.ROOT), error("fetch refused: " + scrub(d.message())));
                return;
            }
            EgressDecision.Allowed allowed = (EgressDecision.Allowed) decision;
            URI uri = allowed.uri();
            host = uri.getHost();
            InspectedRequest inspected = new InspectedRequest(
                    call.scope.toolName(),
                    call.scope.toolDigest(),
                    uri,
                    method,
                    hopHeaders,
                    hopBody,
                    call.scope.tenant());
            InspectionVerdict verdict = inspect(() -> settings.inspector().onRequest(inspected));
            switch (verdict) {
                case InspectionVerdict.Block b -> {
                    finish("blocked", error("fetch to " + host + " blocked: " + b.reason()));
                    return;
                }
                case InspectionVerdict.Replace r -> {
                    hopHeaders = r.headers();
                    hopBody = r.body();
                }
                case InspectionVerdict.Allow a -> {}
            }
            String refusal = secretRefusal(uri, hopHeaders, hopBody);
            if (refusal != null) {
                finish(
                        refusal.substring(0, refusal.indexOf(' ')),
                        error("fetch refused: " + refusal.substring(refusal.indexOf(' ') + 1)));
                return;
            }
            Exchange ex = exchange(allowed, method, hopHeaders, Secrets.substitute(hopBody, call.secretValues));
            if (ex == null) {
                return; // finished by the timer, the end of the call, or a failure
            }
            status = ex.status;
            String location = ex.header("location");
            if (isRedirect(ex.status) && location != null && !redirect.equals("manual")) {
                if (redirect.equals("error")) {
                    finish(
                            "redirect_refused",
                            error("fetch to " + host + " was redirected (" + ex.status + ") and redirect is 'error'"));
                    return;
                }
                decision = settings.policy()
                        .checkRedirect(uri, location, redirects, call.scope.egress(), settings.resolver());
                if (decision instanceof EgressDecision.Denied) {
                    host = hostOf(uri.resolve(location.strip()).toString());
                }
                redirects++;
                if (ex.status == 303 || ((ex.status == 301 || ex.status == 302) && method.equals("POST"))) {
                    method = method.equals("HEAD") ? "HEAD" : "GET";
                    hopBody = new byte[0];
                    hopHeaders = hopHeaders.stream()
                            .filter(h -> !h.name().startsWith("content-"))
                            .toList();
                }
                continue;
            }
            respond(inspected, uri, redirects > 0, ex);
            return;
        }
    }

    private void respond(InspectedRequest request, URI uri, boolean redirected, Exchange ex) {
        Map<String, String> secrets = call.secretValues;
        // Set when the exchange completed, before exchange() returned it.
        Response response = Objects.requireNonNull(ex.response, "response");
        List<HttpHeader> responseHeaders = new ArrayList<>();
        for (HttpField f : response.getHeaders()) {
            responseHeaders.add(new HttpHeader(f.getLowerCaseName(), Secrets.scrub(f.getValue(), secrets)));
        }
        byte[] responseBody = Secrets.scrub(ex.body.toByteArray(), secrets);
        InspectionVerdict verdict = inspect(() -> call.engine
                .settings
                .inspector()
                .onResponse(request, new InspectedResponse(ex.status, responseHeaders, responseBody)));
        List<HttpHeader> outHeaders = responseHeaders;
        byte[] outBody = responseBody;
        switch (verdict) {
            case InspectionVerdict.Block b -> {
                finish("blocked", error("the response from " + host + " was blocked: " + b.reason()));
                return;
            }
            case InspectionVerdict.Replace r -> {
                outHeaders = r.headers();
                outBody = r.body();
            }
            case InspectionVerdict.Allow a -> {}
        }
        ObjectNode r = FetchEngine.JSON.createObjectNode();
        r.put("status", ex.status);
        r.put("statusText", Secrets.scrub(response.getReason() == null ? "" : response.getReason(), secrets));
        r.put("url", Secrets.scrub(uri.toString(), secrets));
        r.put("redirected", redirected);
        ArrayNode h = r.putArray("headers");
        for (HttpHeader x : outHeaders) {
            h.addArray().add(x.name()).add(x.value());
        }
        r.put("body", call.keep(outBody));
        finish("ok", r.toString());
    }

    private InspectionVerdict inspect(Supplier<InspectionVerdict> inspection) {
        try {
            InspectionVerdict v = inspection.get();
            return v == null ? new InspectionVerdict.Block("the egress inspector gave no verdict") : v;
        } catch (RuntimeException e) {
            LOG.log(
                    Level.WARNING,
                    "egress inspector failed; blocking the request: "
                            + e.getClass().getName());
            return new InspectionVerdict.Block("the egress inspector failed");
        }
    }

    /** Null if the placeholders in this hop may go to {@code uri}; else "result message". */
    private @Nullable String secretRefusal(URI uri, List<HttpHeader> hopHeaders, byte[] hopBody) {
        if (!Secrets.names(uri.toString()).isEmpty()) {
            return "secret_in_url secrets may only be sent in header values or the body, not in the URL";
        }
        java.util.Set<String> names = new java.util.LinkedHashSet<>(Secrets.names(hopBody));
        for (HttpHeader h : hopHeaders) {
            if (!Secrets.names(h.name()).isEmpty()) {
                return "secret_in_header_name secrets may only be sent in header values or the body";
            }
            names.addAll(Secrets.names(h.value()));
        }
        for (String name : names) {
            List<String> bound = call.scope.secrets().get(name);
            if (bound == null) {
                return "secret_not_declared the request carries the placeholder of a secret the tool does not declare"
                        + (name.isEmpty() ? "" : " (" + name + ")");
            }
            if (!boundTo(bound, uri)) {
                return "secret_not_bound secret " + name + " may only be sent to " + bound + ", not to "
                        + uri.getHost();
            }
            if (!call.secretValues.containsKey(name)) {
                return "secret_missing secret " + name + " has no value configured by the operator";
            }
        }
        return null;
    }

    private static boolean boundTo(List<String> hosts, URI uri) {
        String h = uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort() >= 0 ? uri.getPort() : uri.getScheme().equals("https") ? 443 : 80;
        for (String entry : hosts) {
            String e = entry.toLowerCase(Locale.ROOT);
            String eh = e;
            int ep = -1;
            int colon = e.lastIndexOf(':');
            if (colon > 0 && e.indexOf(']') < colon && (e.startsWith("[") || e.indexOf(':') == colon)) {
                eh = e.substring(0, colon);
                ep = Integer.parseInt(e.substring(colon + 1));
            }
            if (eh.endsWith(".")) {
                eh = eh.substring(0, eh.length() - 1);
            }
            if (eh.equals(h) && (ep < 0 || ep == port)) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings(
            "NonAtomicVolatileUpdate") // only the worker thread updates sent/received; volatile is for finish()
    private @Nullable Exchange exchange(
            EgressDecision.Allowed allowed, String method, List<HttpHeader> hopHeaders, byte[] wireBody) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            deadlineReached();
            return null;
        }
        Map<String, String> secrets = call.secretValues;
        String contentType = null;
        for (HttpHeader h : hopHeaders) {
            if (h.name().equals("content-type")) {
                contentType = Secrets.substitute(h.value(), secrets);
            }
        }
        Request req = call.engine
                .client
                .newRequest(allowed.uri())
                .method(method)
                .tag(new Pin(allowed.pinnedAddress()))
                .followRedirects(false)
                .timeout(left, TimeUnit.NANOSECONDS)
                .headers(h -> {
                    for (HttpHeader x : hopHeaders) {
                        if (!DROPPED.contains(x.name())
                                && !x.name().startsWith("proxy-")
                                && !x.name().equals("content-type")) {
                            h.add(x.name(), Secrets.substitute(x.value(), secrets));
                        }
                    }
                });
        if (wireBody.length > 0 || contentType != null) {
            req.body(new BytesRequestContent(contentType == null ? "application/octet-stream" : contentType, wireBody));
        }
        Exchange ex = new Exchange(call, this);
        current = req;
        if (finished.get()) {
            return null;
        }
        req.send(ex);
        sent += wireBody.length;
        Result result;
        try {
            result = ex.done.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            deadlineReached();
            return null;
        } catch (InterruptedException e) {
            var _ = req.abort(e); // outcome not needed
            return null;
        } catch (ExecutionException e) {
            finish("failed", error("fetch to " + host + " failed"));
            return null;
        } finally {
            received += ex.body.size();
        }
        if (ex.tooLarge) {
            finish(
                    "response_too_large",
                    error("the response from " + host + " is larger than "
                            + (ex.callCapHit
                                    ? "the operator's limit per call, " + call.engine.settings.maxResponseBytesPerCall()
                                    : "the operator's limit of " + call.engine.settings.maxResponseBytes())
                            + " bytes"));
            return null;
        }
        if (result.isFailed()) {
            Throwable t = result.getFailure();
            String why = t instanceof ConnectException || t.getCause() instanceof ConnectException
                    ? "connection_failed"
                    : t instanceof TimeoutException ? "timeout" : "failed";
            if (why.equals("timeout")) {
                deadlineReached(); // Jetty's own timeout is this fetch's deadline: same words as the timer
                return null;
            }
            finish(
                    why,
                    error("fetch to " + host + " failed: "
                            + scrub(t.getClass().getSimpleName() + ": " + String.valueOf(t.getMessage()))));
            return null;
        }
        ex.status = result.getResponse().getStatus();
        return ex;
    }

    private String scrub(String s) {
        String out = Secrets.scrub(s, call.secretValues);
        return out.length() > 500 ? out.substring(0, 500) + "..." : out;
    }

    private boolean finish(String result, String payload) {
        if (!finished.compareAndSet(false, true)) {
            return false;
        }
        ScheduledFuture<?> t = timeout;
        if (t != null) {
            t.cancel(false);
        }
        call.scope.record(new EgressRecord(
                host, originalMethod, status, sent, received, Duration.ofNanos(System.nanoTime() - start), result));
        op.complete(payload);
        call.done(this);
        return true;
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    static String error(String message) {
        return FetchEngine.JSON.createObjectNode().put("error", message).toString();
    }

    /** Best-effort host of a URL for the receipt: after the last '@', without port; "" if none. */
    static String hostOf(String url) {
        try {
            String authority = new URI(url).getRawAuthority();
            if (authority == null) {
                return "";
            }
            String hp = authority.substring(authority.lastIndexOf('@') + 1);
            String h = hp.startsWith("[")
                    ? hp.substring(0, Math.max(hp.indexOf(']') + 1, 1))
                    : hp.contains(":") ? hp.substring(0, hp.indexOf(':')) : hp;
            h = h.toLowerCase(Locale.ROOT);
            return h.length() > 253 ? h.substring(0, 253) : h;
        } catch (java.net.URISyntaxException e) {
            return "";
        }
    }

    /** Collects one hop's response: status, headers, and the body up to the caps (decompressed). */
    private static final class Exchange implements Response.Listener {
        final CompletableFuture<Result> done = new CompletableFuture<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private final FetchCall call;
        private final FetchTask task;
        /** The response, once its headers arrived (or the exchange completed). */
        volatile @Nullable Response response;

        volatile int status;
        volatile boolean tooLarge;
        volatile boolean callCapHit;

        Exchange(FetchCall call, FetchTask task) {
            this.call = call;
            this.task = task;
        }

        @Nullable
        String header(String name) {
            return response == null ? null : response.getHeaders().get(name);
        }

        @Override
        public void onHeaders(Response r) {
            response = r;
        }

        @Override
        public void onContent(Response r, ByteBuffer content) {
            int n = content.remaining();
            if (tooLarge || task.finished.get()) {
                return;
            }
            long perCall = call.received.addAndGet(n);
            if (body.size() + (long) n > call.engine.settings.maxResponseBytes()
                    || perCall > call.engine.settings.maxResponseBytesPerCall()) {
                callCapHit = body.size() + (long) n <= call.engine.settings.maxResponseBytes();
                tooLarge = true;
                var _ = r.abort(new java.io.IOException("response too large")); // outcome not needed
                return;
            }
            byte[] b = new byte[n];
            content.get(b);
            body.writeBytes(b);
        }

        @Override
        public void onComplete(Result result) {
            if (response == null) {
                response = result.getResponse();
            }
            done.complete(result);
        }
    }
}

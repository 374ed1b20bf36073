package dev.atoll.gateway.dlp;

import dev.atoll.host.bindings.EgressInspector;
import dev.atoll.host.bindings.HttpHeader;
import dev.atoll.host.bindings.InspectedRequest;
import dev.atoll.host.bindings.InspectedResponse;
import dev.atoll.host.bindings.InspectionVerdict;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The DLP engine behind the {@code fetch} binding's egress-inspection SPI: the request's URI, each
 * header (as {@code name: value}) and the body (as UTF-8 text) are scanned in direction
 * {@link Direction#EGRESS_REQUEST}, the response's headers and body in {@link Direction#EGRESS_RESPONSE}.
 * A block anywhere blocks; redactions of headers and body become an {@link InspectionVerdict.Replace};
 * a redaction in the URI, which the SPI cannot replace, blocks. Secrets the tool is bound to appear to
 * the inspector only as placeholders ({@code atoll-secret:NAME}), which no rule matches, so a bound
 * secret going to its host is never blocked; a secret value written into the request by the tool is.
 *
 * <p>Every scan's result, with its findings, goes to the listener (for the audit log).
 */
public final class DlpEgressInspector implements EgressInspector {

    private final DlpEngine engine;
    private final String tenant;
    private final Consumer<DlpResult<String>> listener;

    private DlpEgressInspector(DlpEngine engine, String tenant, Consumer<DlpResult<String>> listener) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.tenant = tenant;
        this.listener = Objects.requireNonNull(listener, "listener");
        ScanContext.of(tenant, "check", Direction.EGRESS_REQUEST); // fails fast on a blank tenant
    }

    /**
     * @param engine the DLP engine
     * @param tenant the tenant to scan as when a request names none (a call's own tenant, which the
     *     isolate pool passes on, takes precedence: tenant-scoped DLP overrides apply to it)
     * @param listener receives the result of every scan that found something (called on the binding's thread)
     * @return the inspector
     */
    public static DlpEgressInspector create(DlpEngine engine, String tenant, Consumer<DlpResult<String>> listener) {
        return new DlpEgressInspector(engine, tenant, listener);
    }

    @Override
    public InspectionVerdict onRequest(InspectedRequest request) {
        ScanContext ctx = ScanContext.of(request.tenant().orElse(tenant), request.toolName(), Direction.EGRESS_REQUEST);
        DlpResult<String> uri = scan(request.uri().toString(), ctx);
        switch (uri.verdict()) {
            case Verdict.Allow<String> a -> {}
            case Verdict.Block<String> b -> {
                return new InspectionVerdict.Block(b.message());
            }
            case Verdict.Redact<String> x -> {
                return new InspectionVerdict.Block(
                        "DLP blocked the outgoing request: its URL contains data matching rule(s) "
                                + String.join(", ", x.ruleIds()));
            }
        }
        return inspect(request.headers(), request.body(), ctx);
    }

    @Override
    public InspectionVerdict onResponse(InspectedRequest request, InspectedResponse response) {
        return inspect(
                response.headers(),
                response.body(),
                ScanContext.of(request.tenant().orElse(tenant), request.toolName(), Direction.EGRESS_RESPONSE));
    }

    private InspectionVerdict inspect(List<HttpHeader> headers, byte[] body, ScanContext ctx) {
        boolean changed = false;
        Set<String> blocked = new LinkedHashSet<>();
        String firstMessage = null;
        List<HttpHeader> newHeaders = new ArrayList<>(headers.size());
        for (HttpHeader h : headers) {
            String line = h.name() + ": " + h.value();
            DlpResult<String> r = scan(line, ctx);
            switch (r.verdict()) {
                case Verdict.Allow<String> a -> newHeaders.add(h);
                case Verdict.Redact<String> x -> {
                    String v = x.value();
                    String prefix = h.name() + ": ";
                    newHeaders.add(new HttpHeader(h.name(), v.startsWith(prefix) ? v.substring(prefix.length()) : v));
                    changed = true;
                }
                case Verdict.Block<String> b -> {
                    blocked.addAll(b.ruleIds());
                    firstMessage = firstMessage == null ? b.message() : firstMessage;
                }
            }
        }
        byte[] newBody = body;
        if (body.length > 0) {
            DlpResult<String> r = scan(new String(body, StandardCharsets.UTF_8), ctx);
            switch (r.verdict()) {
                case Verdict.Allow<String> a -> {}
                case Verdict.Redact<String> x -> {
                    newBody = x.value().getBytes(StandardCharsets.UTF_8);
                    changed = true;
                }
                case Verdict.Block<String> b -> {
                    blocked.addAll(b.ruleIds());
                    firstMessage = firstMessage == null ? b.message() : firstMessage;
                }
            }
        }
        if (firstMessage != null) {
            return new InspectionVerdict.Block(
                    blocked.isEmpty()
                            ? firstMessage
                            : "DLP blocked the "
                                    + (ctx.direction() == Direction.EGRESS_REQUEST
                                            ? "outgoing request"
                                            : "fetched response")
                                    + ": it contains data matching rule(s) " + String.join(", ", blocked));
        }
        return changed ? new InspectionVerdict.Replace(newHeaders, newBody) : InspectionVerdict.allow();
    }

    private DlpResult<String> scan(String text, ScanContext ctx) {
        DlpResult<String> r = engine.scanText(text, ctx);
        if (!r.findings().isEmpty() || r.incomplete().isPresent()) {
            listener.accept(r);
        }
        return r;
    }
}

package dev.atoll.host.bindings.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.host.bindings.HostBindingsException;
import dev.atoll.host.bindings.HttpHeader;
import dev.atoll.host.bindings.SecretSource;
import dev.atoll.runtime.EgressRecord;
import dev.atoll.runtime.spi.BindingCall;
import dev.atoll.runtime.spi.CallScope;
import dev.atoll.runtime.spi.GuestArgs;
import dev.atoll.runtime.spi.PendingOperation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The fetch binding for one call: starts fetches (each a {@link FetchTask} off the guest thread), holds
 * response bodies until the guest reads them, and aborts everything in flight when the call ends.
 */
final class FetchCall implements BindingCall {
    private static final Logger LOG = Logger.getLogger(FetchCall.class.getName());

    final FetchEngine engine;
    final CallScope scope;
    /** Declared secrets that have a valid configured value: name to value. */
    final Map<String, String> secretValues;

    final AtomicLong received = new AtomicLong();
    private final AtomicInteger started = new AtomicInteger();
    private final Map<Integer, byte[]> bodies = new ConcurrentHashMap<>();
    private final AtomicInteger nextBody = new AtomicInteger(1);
    private final Set<FetchTask> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    FetchCall(FetchEngine engine, CallScope scope) {
        this.engine = engine;
        this.scope = scope;
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : scope.secrets().keySet()) {
            Optional<String> v = engine.settings.secrets().value(scope.toolName(), name);
            if (v.isPresent()) {
                try {
                    SecretSource.validate(name, v.get());
                    values.put(name, v.get());
                } catch (HostBindingsException e) {
                    LOG.warning(
                            "tool " + scope.toolName() + ": " + e.getMessage() + "; requests that need it are refused");
                }
            }
        }
        this.secretValues = Map.copyOf(values);
    }

    @Override
    public @Nullable Object invoke(String operation, GuestArgs args) {
        if (closed) {
            return null;
        }
        return switch (operation) {
            case "fetch" -> fetch(args);
            case "body" -> body(args);
            default -> null;
        };
    }

    private Object fetch(GuestArgs args) {
        PendingOperation op = scope.begin();
        long start = System.nanoTime();
        String url;
        String method;
        List<HttpHeader> headers;
        byte[] body;
        long timeoutMs;
        String redirect;
        try {
            // Everything from the guest is checked here; fetch.js/fetch.py's own checks can be switched off.
            url = GuestRequest.url(args.isString(0) ? args.string(0) : null);
            method = GuestRequest.method(args.isString(1) ? args.string(1) : null);
            if (!args.isString(2)) {
                throw new GuestRequest.Refused("fetch refused: invalid headers");
            }
            JsonNode pairs;
            try {
                pairs = FetchEngine.JSON.readTree(args.string(2));
            } catch (Exception e) {
                throw new GuestRequest.Refused("fetch refused: invalid headers");
            }
            headers = GuestRequest.headers(pairs);
            body = !args.isString(3)
                    ? new byte[0]
                    : args.isTrue(4)
                            ? GuestRequest.latin1(args.string(3))
                            : args.string(3).getBytes(StandardCharsets.UTF_8);
            timeoutMs = args.isNumber(5) ? GuestRequest.timeout(args.number(5)) : 0;
            redirect = GuestRequest.redirect(args.isString(6) ? args.string(6) : "follow");
            if (body.length > 0 && (method.equals("GET") || method.equals("HEAD"))) {
                throw new GuestRequest.Refused("fetch refused: a " + method + " request cannot have a body");
            }
        } catch (GuestRequest.Refused e) {
            String host = args.isString(0) ? FetchTask.hostOf(args.string(0)) : "";
            scope.record(new EgressRecord(
                    host,
                    GuestRequest.forReceipt(args.isString(1) ? args.string(1) : null),
                    0,
                    0,
                    0,
                    Duration.ofNanos(System.nanoTime() - start),
                    "invalid_request"));
            op.complete(FetchTask.error(e.getMessage()));
            return op.id();
        }
        int n = started.incrementAndGet();
        int max = engine.settings.maxRequestsPerCall();
        if (n > max) {
            if (n == max + 1) {
                scope.record(
                        new EgressRecord(FetchTask.hostOf(url), method, 0, 0, 0, Duration.ZERO, "too_many_requests"));
            }
            op.complete(FetchTask.error("fetch refused: this call has already started " + max
                    + " requests, the operator's limit per call"));
            return op.id();
        }
        if (body.length > engine.settings.maxRequestBodyBytes()) {
            scope.record(new EgressRecord(FetchTask.hostOf(url), method, 0, 0, 0, Duration.ZERO, "request_too_large"));
            op.complete(FetchTask.error("fetch refused: the request body has " + body.length
                    + " bytes, more than the operator's limit of " + engine.settings.maxRequestBodyBytes()));
            return op.id();
        }
        FetchTask task = new FetchTask(this, op, start, url, method, headers, body, timeoutMs, redirect);
        inFlight.add(task);
        if (closed) {
            task.abort("aborted", "fetch aborted: the call has ended");
        } else {
            task.start();
        }
        return op.id();
    }

    private @Nullable Object body(GuestArgs args) {
        if (!args.isNumber(0)) {
            return null;
        }
        byte[] b = bodies.remove((int) args.number(0));
        if (b == null) {
            return null;
        }
        return args.isString(1) && args.string(1).equals("bytes")
                ? new String(b, StandardCharsets.ISO_8859_1)
                : new String(b, StandardCharsets.UTF_8);
    }

    /** Keeps a response body (already scrubbed) until the guest reads it; returns its id. */
    int keep(byte[] body) {
        int id = nextBody.getAndIncrement();
        if (!closed) {
            bodies.put(id, body);
        }
        return id;
    }

    void done(FetchTask task) {
        inFlight.remove(task);
    }

    @Override
    public void close() {
        closed = true;
        for (FetchTask t : List.copyOf(inFlight)) {
            t.abort("aborted", "fetch aborted: the call has ended");
        }
        bodies.clear();
    }
}

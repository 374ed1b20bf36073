package dev.atoll.gateway.internal.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.backend.ClientLink;
import dev.atoll.gateway.internal.mcp.ClientRequests;
import dev.atoll.runtime.Language;
import dev.atoll.runtime.spi.BindingCall;
import dev.atoll.runtime.spi.CallScope;
import dev.atoll.runtime.spi.GuestArgs;
import dev.atoll.runtime.spi.HostBinding;
import dev.atoll.runtime.spi.PendingOperation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The guest's way back to the MCP client that made the call: {@code env.progress(progress, total?,
 * message?)}, {@code await env.sample({...})} and {@code await env.elicit({...})} (Python: the same,
 * blocking). The host side checks every value (finite numbers, message and request sizes, the request's
 * shape), bounds how many a call may make, and hands them to the call's {@link ClientLink}, which the
 * gateway attaches to each call (rate limit, DLP and the caller's stream live there). A call without a
 * link, or a client without the capability, gets {@code false} from progress and a clean error from
 * sample and elicit. Requests wait at most until the call's wall deadline.
 */
public final class ClientBinding implements HostBinding {

    /** Longest progress message, in characters (longer ones are cut). */
    public static final int MAX_MESSAGE_CHARS = 1024;
    /** Largest sampling or elicitation request, as JSON characters. */
    public static final int MAX_REQUEST_CHARS = 256 * 1024;
    /** Most sampling and elicitation requests one call may make. */
    public static final int MAX_REQUESTS_PER_CALL = 16;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METHODS = Set.of("sampling/createMessage", "elicitation/create");

    private final String js = read("client.js");
    private final String python = read("client.py");

    @Override
    public String name() {
        return "client";
    }

    @Override
    public String guestScript() {
        return js;
    }

    @Override
    public Optional<String> guestScript(Language language) {
        return Optional.of(language == Language.PYTHON ? python : js);
    }

    @Override
    public BindingCall open(CallScope scope) {
        return new Call(scope, scope.attachment(ClientLink.class).orElse(ClientLink.NONE));
    }

    private static final class Call implements BindingCall {
        private final CallScope scope;
        private final ClientLink link;
        private final List<CompletableFuture<JsonNode>> inFlight = new CopyOnWriteArrayList<>();
        private int requests;

        Call(CallScope scope, ClientLink link) {
            this.scope = scope;
            this.link = link;
        }

        @Override
        public @Nullable Object invoke(String operation, GuestArgs args) { // null: an unknown operation
            return switch (operation) {
                case "progress" -> progress(args);
                case "request" -> request(args);
                default -> null;
            };
        }

        private Boolean progress(GuestArgs args) {
            if (!args.isNumber(0)) {
                return false;
            }
            double progress = args.number(0);
            double total = args.isNumber(1) ? args.number(1) : -1;
            if (!Double.isFinite(progress) || progress < 0 || !Double.isFinite(total)) {
                return false;
            }
            Optional<String> message = args.isString(2) ? Optional.of(cut(args.string(2))) : Optional.empty();
            return link.progress(progress, total >= 0 ? OptionalDouble.of(total) : OptionalDouble.empty(), message);
        }

        @SuppressWarnings("UndefinedEquals") // inFlight holds these very futures: removal by identity is meant
        private Object request(GuestArgs args) {
            if (!args.isString(0) || !METHODS.contains(args.string(0)) || !args.isString(1)) {
                return "unknown request";
            }
            String method = args.string(0);
            String capability = method.startsWith("sampling") ? "sampling" : "elicitation";
            if (!link.supports(capability)) {
                return method + " is not available: the client did not declare the " + capability
                        + " capability, or its request cannot carry server requests (no SSE stream)";
            }
            if (++requests > MAX_REQUESTS_PER_CALL) {
                return method + ": at most " + MAX_REQUESTS_PER_CALL + " client requests per call";
            }
            String text = args.string(1);
            if (text.length() > MAX_REQUEST_CHARS) {
                return method + ": the request is larger than " + MAX_REQUEST_CHARS + " characters";
            }
            ObjectNode params;
            try {
                JsonNode parsed = JSON.readTree(text);
                if (!(parsed instanceof ObjectNode o)) {
                    return method + ": the request must be an object";
                }
                params = o;
            } catch (JsonProcessingException e) {
                return method + ": the request is not JSON";
            }
            Optional<String> invalid = ClientRequests.check(method, params);
            if (invalid.isPresent()) {
                return method + ": " + invalid.get();
            }
            Duration left = scope.remaining();
            if (left.isZero()) {
                return method + ": the call's wall limit has passed";
            }
            PendingOperation op = scope.begin();
            CompletableFuture<JsonNode> answer =
                    link.request(method, params, left).orTimeout(left.toNanos(), TimeUnit.NANOSECONDS);
            inFlight.add(answer);
            var _ = answer.whenComplete((result, error) -> { // the callback reports its own outcome
                inFlight.remove(answer);
                ObjectNode payload = JSON.createObjectNode();
                if (error == null) {
                    payload.set("ok", result);
                } else {
                    Throwable cause =
                            error instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                                    ? c.getCause()
                                    : error;
                    payload.put(
                            "error",
                            cause instanceof java.util.concurrent.TimeoutException
                                    ? method + ": the client did not answer before the call's wall limit"
                                    : method + " failed: " + String.valueOf(cause.getMessage()));
                }
                op.complete(payload.toString());
            });
            return op.id();
        }

        @Override
        public void close() {
            for (CompletableFuture<JsonNode> f : inFlight) {
                f.cancel(true);
            }
        }

        private static String cut(String s) {
            return s.length() > MAX_MESSAGE_CHARS ? s.substring(0, MAX_MESSAGE_CHARS) : s;
        }
    }

    private static String read(String name) {
        try (InputStream in = ClientBinding.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

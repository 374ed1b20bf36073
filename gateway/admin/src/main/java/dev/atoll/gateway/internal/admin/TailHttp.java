package dev.atoll.gateway.internal.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.internal.http.Authenticator;
import dev.atoll.gateway.internal.tail.FleetTail;
import dev.atoll.gateway.internal.tail.TailBus;
import dev.atoll.gateway.internal.tail.TailFilter;
import dev.atoll.gateway.internal.tail.TailStream;
import dev.atoll.gateway.registry.Registry;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /v1/tail?tool=&tenant=&outcome=&node=&fleet=}: the live tail as server-sent events (admin
 * token). Events: {@code call} and {@code admin} (JSON), and a last {@code dropped} when this stream
 * fell too far behind. 503 when {@code tail.max-subscribers} streams are open. With
 * {@code fleet=true}, every live node's tail merged into one ({@link FleetTail}), with {@code node}
 * events about the other nodes' streams.
 */
public final class TailHttp implements HttpService {

    /**
     * The request-context key (a {@code String} classifier) under which an admin request that passed
     * the token check holds the acting admin's id, for the live tail's admin events.
     */
    public static final String ACTOR = "atoll.admin.actor";

    private final TailBus bus;
    private final AdminJson web;
    private final BooleanSupplier closing;
    private final Duration heartbeat;
    private final FleetTail fleet;

    /**
     * Creates the service.
     *
     * @param registry the registry (admin tokens)
     * @param bus the live tail
     * @param json the mapper
     * @param heartbeat time between keep-alive comments
     * @param closing true once the gateway closes (streams end)
     * @param fleet merges the tails of the fleet's nodes ({@code fleet=true})
     */
    public TailHttp(
            Registry registry,
            TailBus bus,
            ObjectMapper json,
            Duration heartbeat,
            BooleanSupplier closing,
            FleetTail fleet) {
        this.bus = Objects.requireNonNull(bus, "bus");
        this.web = new AdminJson(registry, json);
        this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
        this.closing = Objects.requireNonNull(closing, "closing");
        this.fleet = Objects.requireNonNull(fleet, "fleet");
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/tail", this::tail);
    }

    private void tail(ServerRequest req, ServerResponse res) throws IOException {
        if (web.authorize(req, res).isEmpty()) {
            return;
        }
        TailFilter filter;
        boolean merged;
        try {
            filter = filter(req);
            merged = switch (req.query()
                    .first("fleet")
                    .asOptional()
                    .map(String::trim)
                    .orElse("false")) {
                case "true" -> true;
                case "false", "" -> false;
                default -> throw new IllegalArgumentException("fleet must be true or false");
            };
        } catch (IllegalArgumentException e) {
            web.send(res, 400, web.error("bad_request", e.getMessage()));
            return;
        }
        Optional<TailBus.Subscription> sub = bus.subscribe(filter);
        if (sub.isEmpty()) {
            res.header("Retry-After", "5");
            web.send(
                    res,
                    503,
                    web.error(
                            "too_many_subscribers",
                            "the live tail has its most streams open "
                                    + "(tail.max-subscribers); close one or try again later"));
            return;
        }
        res.status(200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        try (OutputStream out = res.outputStream()) {
            if (merged) {
                String token = Authenticator.bearer(req.headers().first(HeaderNames.AUTHORIZATION))
                        .orElseThrow();
                fleet.stream(sub.get(), filter, query(filter), token, out);
            } else {
                TailStream.stream(sub.get(), out, e -> e.toJson().toString(), heartbeat, closing);
            }
        } catch (java.io.UncheckedIOException e) {
            // the client went away while the stream closed
        }
    }

    /** The filter of {@code ?tool=&tenant=&outcome=&node=} (blank values are ignored). */
    public static TailFilter filter(ServerRequest req) {
        var q = req.query();
        return new TailFilter(
                param(q.first("tool").asOptional()),
                param(q.first("tenant").asOptional()),
                param(q.first("outcome").asOptional()),
                param(q.first("node").asOptional()));
    }

    /** The filter as the query string of a peer's {@code /v1/tail}. */
    private static String query(TailFilter f) {
        StringBuilder q = new StringBuilder();
        BiConsumer<String, Optional<String>> add = (k, v) -> v.ifPresent(x -> q.append(q.isEmpty() ? '?' : '&')
                .append(k)
                .append('=')
                .append(URLEncoder.encode(x, StandardCharsets.UTF_8)));
        add.accept("tool", f.tool());
        add.accept("tenant", f.tenant());
        add.accept("outcome", f.outcome());
        add.accept("node", f.node());
        return q.toString();
    }

    private static Optional<String> param(Optional<String> v) {
        return v.map(String::trim).filter(s -> !s.isEmpty());
    }
}

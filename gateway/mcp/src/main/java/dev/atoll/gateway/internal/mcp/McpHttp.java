package dev.atoll.gateway.internal.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.internal.http.Authenticator;
import dev.atoll.gateway.internal.http.Caller;
import dev.atoll.gateway.internal.http.OriginGuard;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The MCP endpoint on Helidon: Host/Origin check, bearer authentication, body cap, then
 * {@link McpService}; writes JSON, SSE or empty replies. Never answers 500 for bad input.
 */
public final class McpHttp implements HttpService {

    private static final Logger LOG = Logger.getLogger(McpHttp.class.getName());
    private static final long KEEP_ALIVE_MS = 15_000;

    private final String path;
    private final McpService service;
    private final OriginGuard guard;
    private final Authenticator auth;
    private final ObjectMapper mapper;
    private final long maxBodyBytes;
    private final java.util.function.Supplier<String> resourceMetadataUrl;
    private final boolean requireAuth;

    /**
     * Creates the endpoint.
     *
     * @param path the endpoint path ({@code /mcp})
     * @param service the protocol
     * @param guard the Host/Origin guard
     * @param auth the authenticator
     * @param mapper writer for replies
     * @param maxBodyBytes largest request body
     * @param resourceMetadataUrl RFC 9728 metadata URL for {@code WWW-Authenticate} (empty = none)
     * @param requireAuth whether a bearer token is required (else {@code auth} is asked with "")
     */
    public McpHttp(
            String path,
            McpService service,
            OriginGuard guard,
            Authenticator auth,
            ObjectMapper mapper,
            long maxBodyBytes,
            java.util.function.Supplier<String> resourceMetadataUrl,
            boolean requireAuth) {
        this.requireAuth = requireAuth;
        this.path = path;
        this.service = service;
        this.guard = guard;
        this.auth = auth;
        this.mapper = mapper;
        this.maxBodyBytes = maxBodyBytes;
        this.resourceMetadataUrl = resourceMetadataUrl;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post(path, (req, res) -> handle(req, res, "POST"));
        rules.get(path, (req, res) -> handle(req, res, "GET"));
        rules.delete(path, (req, res) -> handle(req, res, "DELETE"));
        rules.any(path, (req, res) -> {
            res.status(405).header("Allow", "POST, GET, DELETE");
            sendJson(res, JsonRpc.error(null, JsonRpc.INVALID_REQUEST, "Method Not Allowed"));
        });
    }

    private void handle(ServerRequest req, ServerResponse res, String verb) {
        try {
            Optional<String> why = guard.check(header(req, "host"), header(req, "origin"));
            if (why.isPresent()) {
                res.status(403);
                sendJson(res, JsonRpc.error(null, JsonRpc.INVALID_REQUEST, "Forbidden: " + why.get()));
                return;
            }
            Optional<String> presented = Authenticator.bearer(header(req, "authorization"));
            Optional<Caller> principal;
            try {
                principal = requireAuth ? presented.flatMap(auth::authenticate) : auth.authenticate("");
            } catch (dev.atoll.gateway.registry.RegistryException e) { // the token store (database) fails
                res.status(503).header("Retry-After", "5");
                sendJson(
                        res,
                        JsonRpc.error(
                                null,
                                JsonRpc.INTERNAL_ERROR,
                                "Token store unavailable: the gateway cannot check the bearer token now; try again later"));
                return;
            }
            if (principal.isEmpty()) {
                String metadata = resourceMetadataUrl.get();
                String challenge = "Bearer realm=\"atoll\""
                        + (metadata.isEmpty() ? "" : ", resource_metadata=\"" + metadata + "\"")
                        + (presented.isPresent() ? ", error=\"invalid_token\"" : "");
                res.status(401).header("WWW-Authenticate", challenge);
                sendJson(
                        res,
                        JsonRpc.error(null, JsonRpc.INVALID_REQUEST, "Unauthorized: a valid bearer token is required"));
                return;
            }
            boolean acceptsSse = accepts(req, "text/event-stream");
            if ("POST".equals(verb)) {
                if (!accepts(req, "application/json") && !acceptsSse) {
                    res.status(406);
                    sendJson(
                            res,
                            JsonRpc.error(
                                    null,
                                    JsonRpc.INVALID_REQUEST,
                                    "Not Acceptable: accept application/json and text/event-stream"));
                    return;
                }
                if (!req.headers()
                        .contentType()
                        .map(t -> t.test(MediaTypes.APPLICATION_JSON))
                        .orElse(false)) {
                    res.status(415);
                    sendJson(
                            res,
                            JsonRpc.error(
                                    null,
                                    JsonRpc.INVALID_REQUEST,
                                    "Unsupported Media Type: send Content-Type: application/json"));
                    return;
                }
            }
            byte[] body = "POST".equals(verb) ? readBody(req) : new byte[0];
            if (body == null) {
                res.status(413);
                sendJson(
                        res,
                        JsonRpc.error(
                                null,
                                JsonRpc.INVALID_REQUEST,
                                "Payload Too Large: the limit is " + maxBodyBytes + " bytes"));
                return;
            }
            McpExchange.Request request = new McpExchange.Request(n -> header(req, n), body, acceptsSse);
            McpExchange.Reply reply = switch (verb) {
                case "POST" -> service.post(principal.get(), request);
                case "GET" -> service.get(principal.get(), request);
                default -> service.delete(principal.get(), request);
            };
            write(res, reply);
        } catch (UncheckedIOException e) {
            LOG.log(Level.FINE, "client went away", e);
        }
    }

    /** The body, or null when it is longer than the limit. */
    private byte @Nullable [] readBody(ServerRequest req) {
        var length = req.headers().contentLength();
        if (length.isPresent() && length.getAsLong() > maxBodyBytes) {
            return null;
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
            return body.length > maxBodyBytes ? null : body;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(ServerResponse res, McpExchange.Reply reply) {
        res.status(reply.status());
        reply.headers().forEach(res::header);
        switch (reply) {
            case McpExchange.Json j -> sendJson(res, j.body());
            case McpExchange.Empty e -> res.send();
            case McpExchange.Sse s -> {
                sseHeaders(res);
                try (OutputStream out = res.outputStream()) {
                    for (ObjectNode event : s.events()) {
                        writeEvent(out, event);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            case McpExchange.Stream s -> stream(res, s);
            case McpExchange.Live l -> live(res, l);
        }
    }

    private void live(ServerResponse res, McpExchange.Live l) {
        sseHeaders(res);
        try (OutputStream out = res.outputStream()) {
            out.write(":\n\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            while (true) {
                ObjectNode next = l.events().poll(KEEP_ALIVE_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (next == null) {
                    out.write(":\n\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    continue;
                }
                writeEvent(out, next);
                if (LiveCall.isResponse(next)) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client left; the call ends on its own limits and its answer is dropped
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stream(ServerResponse res, McpExchange.Stream s) {
        sseHeaders(res);
        try (OutputStream out = res.outputStream()) {
            for (ObjectNode event : s.first()) {
                writeEvent(out, event);
            }
            out.write(":\n\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            while (true) {
                Optional<ObjectNode> next = s.subscription().next(KEEP_ALIVE_MS);
                if (next.isEmpty()) {
                    out.write(":\n\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } else {
                    writeEvent(out, next.get());
                }
            }
        } catch (IOException | IllegalStateException e) {
            // client left, or the server is stopping
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            s.subscription().close();
        }
    }

    private static void sseHeaders(ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header("X-Accel-Buffering", "no");
    }

    private void writeEvent(OutputStream out, ObjectNode event) throws IOException {
        byte[] data = mapper.writeValueAsBytes(event);
        out.write("event: message\ndata: ".getBytes(StandardCharsets.US_ASCII));
        out.write(data);
        out.write("\n\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private void sendJson(ServerResponse res, ObjectNode body) {
        try {
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(mapper.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean accepts(ServerRequest req, String type) {
        var accepted = req.headers().acceptedTypes();
        if (accepted.isEmpty()) {
            return "application/json".equals(type);
        }
        for (HttpMediaType t : accepted) {
            String full = t.mediaType().text().toLowerCase(Locale.ROOT);
            if (full.equals(type)
                    || full.equals("*/*")
                    || (full.endsWith("/*") && type.startsWith(full.substring(0, full.length() - 1)))) {
                return true;
            }
        }
        return false;
    }

    private static Optional<String> header(ServerRequest req, String name) {
        return req.headers().first(HeaderNames.create(name));
    }
}

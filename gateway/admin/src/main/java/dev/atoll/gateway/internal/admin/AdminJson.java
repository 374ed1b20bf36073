package dev.atoll.gateway.internal.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.internal.http.Authenticator;
import dev.atoll.gateway.registry.Actor;
import dev.atoll.gateway.registry.Principal;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.RegistryException;
import dev.atoll.gateway.registry.TokenKind;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the admin services share: the admin-token check, JSON responses and errors, and the mapping
 * of registry failures to HTTP statuses.
 */
final class AdminJson {

    /** A handler body that may throw; errors become JSON error responses. */
    @FunctionalInterface
    interface Action {
        Object run(ServerRequest req, Actor actor) throws Exception;
    }

    /** How a service answers an exception of its own: status and error code, or empty to let it pass. */
    @FunctionalInterface
    interface Failures {
        Optional<Failure> of(Exception e);
    }

    /** An error response: HTTP status and error code (the exception's message is the message). */
    record Failure(int status, String code) {}

    private final Registry registry;
    private final ObjectMapper json;

    AdminJson(Registry registry, ObjectMapper json) {
        this.registry = registry;
        this.json = json;
    }

    /**
     * A handler that needs an admin bearer token, runs {@code action} as that admin and sends its
     * result as JSON: 201 for a POST to {@code createPath}, 200 otherwise.
     */
    Handler handler(String createPath, Action action, Failures failures) {
        return (req, res) -> {
            Optional<Actor> actor = authorize(req, res);
            if (actor.isEmpty()) {
                return;
            }
            try {
                Object out = action.run(req, actor.get());
                boolean created = "POST".equals(req.prologue().method().text())
                        && req.path().path().equals(createPath);
                send(res, created ? 201 : 200, out);
            } catch (RegistryException e) {
                int status = switch (e.reason()) {
                    case NOT_FOUND -> 404;
                    case CONFLICT, INVALID_STATE -> 409;
                    case INVALID_ARGUMENT -> 400;
                    case UNAVAILABLE, STORAGE -> 503;
                };
                send(res, status, error(e.reason().name().toLowerCase(Locale.ROOT), e.getMessage()));
            } catch (Exception e) {
                Optional<Failure> f = failures.of(e);
                if (f.isEmpty()) {
                    throw e;
                }
                send(res, f.get().status(), error(f.get().code(), e.getMessage()));
            }
        };
    }

    /**
     * Checks the request's admin bearer token; when it is missing, unknown or scoped, sends the 401 or
     * 403 JSON error and returns empty.
     */
    Optional<Actor> authorize(ServerRequest req, ServerResponse res) {
        Optional<String> presented = Authenticator.bearer(req.headers().first(HeaderNames.AUTHORIZATION));
        Optional<Principal> admin;
        try {
            admin = presented.flatMap(t -> registry.tokens().authenticate(TokenKind.ADMIN, t));
        } catch (RegistryException e) {
            // The token store cannot be read (database down): a clear 503, as for the MCP endpoint,
            // not a bare 500.
            res.header("Retry-After", "5");
            send(
                    res,
                    503,
                    error(e.reason().name().toLowerCase(Locale.ROOT), "Token store unavailable: " + e.getMessage()));
            return Optional.empty();
        }
        if (admin.isEmpty()) {
            res.header("WWW-Authenticate", "Bearer realm=\"atoll-admin\"");
            send(
                    res,
                    401,
                    error(
                            "unauthorized",
                            presented.isEmpty()
                                    ? "an admin bearer token is required (Authorization: Bearer ...; ATOLL_ADMIN_TOKEN)"
                                    : "the bearer token sent was not accepted as an admin token (unknown, revoked, or an MCP "
                                            + "token): use the admin token printed at the gateway's first start or the one in "
                                            + "ATOLL_ADMIN_TOKEN"));
            return Optional.empty();
        }
        if (!unscoped(admin.get())) {
            // Admin tokens are not scoped (docs/security.md): one that names a tenant or tools (created
            // before this was refused) is refused, not silently treated as a full admin.
            send(
                    res,
                    403,
                    error(
                            "scoped_admin_token",
                            "admin token " + admin.get().tokenId() + " is scoped to "
                                    + "tenant '" + admin.get().tenant() + "' and tools "
                                    + new java.util.TreeSet<>(admin.get().scopes())
                                    + ", but admin tokens cannot be scoped and scoped ones are "
                                    + "refused: revoke it and create an unscoped admin token"));
            return Optional.empty();
        }
        Actor actor = Actor.of(admin.get());
        req.context().register(TailHttp.ACTOR, actor.id());
        return Optional.of(actor);
    }

    /**
     * Whether a principal is a full admin: tenant {@code default} and scope {@code *} only.
     *
     * @param p an admin token's principal
     * @return true when it is unscoped
     */
    static boolean unscoped(Principal p) {
        return DEFAULT_TENANT.equals(p.tenant()) && p.scopes().equals(java.util.Set.of(Principal.ALL));
    }

    /** The tenant of unscoped (admin) tokens. */
    static final String DEFAULT_TENANT = "default";

    /** The {@code {name}} path parameter. */
    static String name(ServerRequest req) {
        return req.path().pathParameters().get("name");
    }

    /** A JSON error body; an exception's message may be null (then so is {@code message} in the JSON). */
    ObjectNode error(String code, @Nullable String message) {
        ObjectNode n = json.createObjectNode();
        n.putObject("error").put("code", code).put("message", message);
        return n;
    }

    void send(ServerResponse res, int status, Object body) {
        try {
            res.status(status);
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(json.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

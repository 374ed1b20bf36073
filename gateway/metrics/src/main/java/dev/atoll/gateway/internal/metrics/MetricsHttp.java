package dev.atoll.gateway.internal.metrics;

import dev.atoll.gateway.internal.http.Authenticator;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.TokenKind;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

/**
 * {@code GET /metrics} on the admin listener: the Prometheus text exposition, behind an admin bearer
 * token unless {@code metrics.require-auth} is off.
 */
public final class MetricsHttp implements HttpService {

    private final GatewayMetrics metrics;
    private final Registry registry;
    private final boolean requireAuth;

    /**
     * @param metrics the meters
     * @param registry authenticates admin tokens
     * @param requireAuth whether a scrape needs an admin bearer token
     */
    public MetricsHttp(GatewayMetrics metrics, Registry registry, boolean requireAuth) {
        this.metrics = metrics;
        this.registry = registry;
        this.requireAuth = requireAuth;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/metrics", (req, res) -> {
            if (requireAuth
                    && Authenticator.bearer(req.headers().first(HeaderNames.AUTHORIZATION))
                            .flatMap(t -> registry.tokens().authenticate(TokenKind.ADMIN, t))
                            // scoped admin tokens are refused everywhere (docs/security.md)
                            .filter(p ->
                                    p.tenant().equals("default") && p.scopes().equals(java.util.Set.of("*")))
                            .isEmpty()) {
                res.status(Status.UNAUTHORIZED_401)
                        .header("WWW-Authenticate", "Bearer realm=\"atoll-admin\"")
                        .header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                        .send(
                                "an admin bearer token is required (ATOLL_ADMIN_TOKEN), or set metrics.require-auth: false\n");
                return;
            }
            res.header(HeaderNames.CONTENT_TYPE, GatewayMetrics.contentType()).send(metrics.scrape());
        });
    }
}

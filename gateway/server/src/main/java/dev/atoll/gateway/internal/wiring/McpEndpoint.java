package dev.atoll.gateway.internal.wiring;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.gateway.GatewayConfig;
import dev.atoll.gateway.internal.http.Authenticator;
import dev.atoll.gateway.internal.http.Caller;
import dev.atoll.gateway.internal.http.OriginGuard;
import dev.atoll.gateway.internal.mcp.McpHttp;
import dev.atoll.gateway.internal.mcp.McpService;
import dev.atoll.gateway.registry.Registry;
import dev.atoll.gateway.registry.TokenKind;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The MCP endpoint with its guards: who may call it ({@code mcp.require-auth}, tokens, {@code oauth.*}), from where. */
public final class McpEndpoint {

    private McpEndpoint() {}

    /**
     * The MCP endpoint on {@code mcp.path}.
     *
     * @param config the configuration
     * @param checked the checked configuration
     * @param mcp the MCP service
     * @param mapper the JSON mapper
     * @param tokens tokens given to the gateway's builder
     * @param registry the registry
     * @return the endpoint
     */
    public static McpHttp create(
            GatewayConfig config,
            ConfigMapping.Checked checked,
            McpService mcp,
            ObjectMapper mapper,
            Map<String, Caller> tokens,
            Registry registry) {
        GatewayConfig.Mcp mc = config.mcp();
        GatewayConfig.OAuth oc = config.oauth();
        OriginGuard guard = new OriginGuard(
                checked.loopback(), ConfigMapping.lower(mc.allowedHosts()), ConfigMapping.lower(mc.allowedOrigins()));
        return new McpHttp(
                mc.path(),
                mcp,
                guard,
                authenticator(mc.requireAuth(), tokens, registry, checked.jwt()),
                mapper,
                config.http().maxPayloadBytes(),
                () -> oc.enabled() ? Listeners.metadataUrl(oc) : "",
                mc.requireAuth());
    }

    /**
     * The MCP endpoint's authenticator: the builder's tokens, then the registry's MCP tokens, then
     * OAuth bearer tokens; or everyone as {@code anonymous} when auth is not required.
     */
    private static Authenticator authenticator(
            boolean requireAuth, Map<String, Caller> tokens, Registry registry, Authenticator jwt) {
        Caller anonymous = new Caller("anonymous", Set.of("*"), "anonymous");
        Authenticator own = token -> Optional.ofNullable(tokens.get(token))
                .or(() -> registry.tokens()
                        .authenticate(TokenKind.MCP, token)
                        .map(p -> new Caller(p.tenant(), p.scopes(), p.tokenId())));
        return requireAuth
                ? token -> own.authenticate(token).or(() -> jwt.authenticate(token))
                : token -> Optional.of(anonymous);
    }
}

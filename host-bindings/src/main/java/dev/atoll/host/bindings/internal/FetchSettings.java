package dev.atoll.host.bindings.internal;

import dev.atoll.host.bindings.EgressInspector;
import dev.atoll.host.bindings.EgressPolicy;
import dev.atoll.host.bindings.Resolver;
import dev.atoll.host.bindings.SecretSource;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The fetch binding's operator settings (see {@code FetchBinding.Builder} for meanings and defaults).
 *
 * @param policy egress policy
 * @param resolver resolver used by the policy
 * @param inspector egress inspector
 * @param secrets secret values
 * @param maxRequestsPerCall fetches one call may start
 * @param maxResponseBytes largest decompressed response body
 * @param maxResponseBytesPerCall decompressed response bytes per call, over all fetches
 * @param maxRequestBodyBytes largest request body
 * @param requestTimeout longest one fetch may take, redirects included
 * @param connectTimeout longest a TCP (and TLS) connect may take
 * @param sslContext TLS trust, if not the JDK default
 */
public record FetchSettings(
        EgressPolicy policy,
        Resolver resolver,
        EgressInspector inspector,
        SecretSource secrets,
        int maxRequestsPerCall,
        long maxResponseBytes,
        long maxResponseBytesPerCall,
        long maxRequestBodyBytes,
        Duration requestTimeout,
        Duration connectTimeout,
        Optional<SSLContext> sslContext) {}

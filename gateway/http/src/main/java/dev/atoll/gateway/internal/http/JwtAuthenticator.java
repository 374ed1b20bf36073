package dev.atoll.gateway.internal.http;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Validates JWT access tokens as an OAuth 2.1 resource server (nimbus-jose-jwt): signature with the
 * issuer's JWK set and an algorithm allowlist ({@code none} never), {@code iss}, {@code aud} equal to
 * this server, {@code exp} required. Scopes {@code PREFIX*} / {@code PREFIXname} grant tools. The
 * token is only read here: the gateway never forwards it anywhere.
 */
public final class JwtAuthenticator implements Authenticator {

    private final DefaultJWTProcessor<SecurityContext> processor;
    private final String tenantClaim;
    private final String scopePrefix;

    /**
     * Creates the authenticator.
     *
     * @param issuer required issuer
     * @param audience required audience (this server's resource URL)
     * @param jwksFile the issuer's JWK set
     * @param algorithms accepted algorithms
     * @param tenantClaim claim naming the tenant
     * @param scopePrefix prefix of tool scopes
     * @param clockSkewSeconds tolerated skew
     * @throws IllegalArgumentException if the JWK set cannot be read
     */
    public JwtAuthenticator(
            String issuer,
            String audience,
            Path jwksFile,
            List<String> algorithms,
            String tenantClaim,
            String scopePrefix,
            int clockSkewSeconds) {
        JWKSet keys;
        try {
            keys = JWKSet.parse(Files.readString(jwksFile));
        } catch (IOException | ParseException e) {
            throw new IllegalArgumentException("cannot read the JWK set " + jwksFile + ": " + e.getMessage(), e);
        }
        Set<JWSAlgorithm> algs = new HashSet<>();
        for (String a : algorithms) {
            JWSAlgorithm alg = JWSAlgorithm.parse(a);
            if ("none".equalsIgnoreCase(alg.getName()) || a.startsWith("HS")) {
                throw new IllegalArgumentException("oauth.algorithms must be asymmetric JWS algorithms, not " + a);
            }
            algs.add(alg);
        }
        processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algs, new ImmutableJWKSet<>(keys)));
        DefaultJWTClaimsVerifier<SecurityContext> verifier = new DefaultJWTClaimsVerifier<>(
                audience, new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("exp", "iss", "aud", tenantClaim));
        verifier.setMaxClockSkew(clockSkewSeconds);
        processor.setJWTClaimsSetVerifier(verifier);
        this.tenantClaim = tenantClaim;
        this.scopePrefix = scopePrefix;
    }

    @Override
    public Optional<Caller> authenticate(String bearerToken) {
        if (bearerToken.chars().filter(c -> c == '.').count() != 2) {
            return Optional.empty();
        }
        try {
            JWTClaimsSet claims = processor.process(bearerToken, null);
            Object tenant = claims.getClaim(tenantClaim);
            if (!(tenant instanceof String t) || t.isBlank()) {
                return Optional.empty();
            }
            Set<String> tools = new HashSet<>();
            Object scope = claims.getClaim("scope");
            if (scope instanceof String s) {
                for (String one : s.split(" ")) {
                    if (one.startsWith(scopePrefix) && one.length() > scopePrefix.length()) {
                        tools.add(one.substring(scopePrefix.length()));
                    }
                }
            }
            return Optional.of(new Caller("oauth:" + t, tools, "jwt"));
        } catch (ParseException | BadJOSEException | JOSEException e) {
            return Optional.empty();
        }
    }
}

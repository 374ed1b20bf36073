package dev.atoll.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** OAuth 2.1 resource-server mode against a real gateway: RFC 9728 metadata, challenges, JWT checks. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OAuthResourceServerTest {

    /** Every file and directory this class makes, deleted after its tests. */
    @TempDir
    static Path scratch;

    static final String ISSUER = "https://issuer.test";
    static final String AUDIENCE = "https://atoll.test/mcp";
    RSAKey key;
    RSAKey otherKey;
    Gateway gateway;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("k1").generate();
        otherKey = new RSAKeyGenerator(2048).keyID("k1").generate();
        Path dir = Files.createTempDirectory(scratch, "atoll-oauth");
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(key.toPublicJWK()).toString());
        Map<String, String> cfg = new HashMap<>(Map.of(
                "mcp.port",
                "0",
                "admin.port",
                "0",
                "data-dir",
                dir.toString(),
                "oauth.enabled",
                "true",
                "oauth.issuer",
                ISSUER,
                "oauth.audience",
                AUDIENCE,
                "oauth.jwks-file",
                jwks.toString()));
        gateway = Gateway.builder().config(GatewayConfig.defaults().with(cfg)).start();
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    String token(RSAKey signer, String audience, String scope, Instant exp) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(audience)
                .subject("alice")
                .claim("scope", scope)
                .expirationTime(Date.from(exp))
                .issueTime(new Date())
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .keyID("k1")
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims);
        jwt.sign(new RSASSASigner(signer));
        return jwt.serialize();
    }

    HttpResponse<String> initialize(String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.mcpUrl()))
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
                        + "\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{}}}"))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metadataNamesTheResourceAndItsAuthorizationServer() throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + gateway.mcpPort() + "/.well-known/oauth-protected-resource/mcp"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        JsonNode m = new ObjectMapper().readTree(r.body());
        assertEquals(AUDIENCE, m.get("resource").asText());
        assertEquals(ISSUER, m.at("/authorization_servers/0").asText());
    }

    @Test
    void challengePointsAtTheMetadata() throws Exception {
        HttpResponse<String> r = initialize(null);
        assertEquals(401, r.statusCode());
        String challenge = r.headers().firstValue("www-authenticate").orElse("");
        assertTrue(
                challenge.contains("resource_metadata=\"https://atoll.test/.well-known/oauth-protected-resource/mcp\""),
                challenge);
        assertTrue(!challenge.contains("invalid_token"), "no token presented: no error code");
    }

    @Test
    void validTokenWorksAndScopesLimitTools() throws Exception {
        HttpResponse<String> r = initialize(
                token(key, AUDIENCE, "atoll:tools:slugify openid", Instant.now().plusSeconds(300)));
        assertEquals(200, r.statusCode(), r.body());
        String sid = r.headers().firstValue("mcp-session-id").orElseThrow();
        HttpResponse<String> list = http.send(
                HttpRequest.newBuilder(URI.create(gateway.mcpUrl()))
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}"))
                        .header("Content-Type", "application/json")
                        .header("Accept", "application/json")
                        .header(
                                "Authorization",
                                "Bearer "
                                        + token(
                                                key,
                                                AUDIENCE,
                                                "atoll:tools:slugify",
                                                Instant.now().plusSeconds(300)))
                        .header("Mcp-Session-Id", sid)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode tools = new ObjectMapper().readTree(list.body()).at("/result/tools");
        assertEquals(1, tools.size(), list.body());
        assertEquals("slugify", tools.get(0).get("name").asText());
    }

    @Test
    void badTokensAreRefusedWithInvalidToken() throws Exception {
        Instant later = Instant.now().plusSeconds(300);
        String plain = new PlainJWT(new JWTClaimsSet.Builder()
                        .issuer(ISSUER)
                        .audience(AUDIENCE)
                        .subject("alice")
                        .expirationTime(Date.from(later))
                        .build())
                .serialize();
        Map<String, String> bad = Map.of(
                "wrong audience", token(key, "https://other.test/mcp", "atoll:tools:*", later),
                "expired", token(key, AUDIENCE, "atoll:tools:*", Instant.now().minusSeconds(3600)),
                "wrong key", token(otherKey, AUDIENCE, "atoll:tools:*", later),
                "alg none", plain,
                "garbage", "a.b.c");
        for (var e : bad.entrySet()) {
            HttpResponse<String> r = initialize(e.getValue());
            assertEquals(401, r.statusCode(), e.getKey());
            assertTrue(
                    r.headers().firstValue("www-authenticate").orElse("").contains("error=\"invalid_token\""),
                    e.getKey());
        }
    }
}

package dev.atoll.gateway.dlp;

import static dev.atoll.gateway.dlp.DlpTestSupport.EMAIL;
import static dev.atoll.gateway.dlp.DlpTestSupport.GITHUB_PAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.host.bindings.HttpHeader;
import dev.atoll.host.bindings.InspectedRequest;
import dev.atoll.host.bindings.InspectedResponse;
import dev.atoll.host.bindings.InspectionVerdict;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DlpEgressInspectorTest {

    private final List<DlpResult<String>> audit = new ArrayList<>();

    private static InspectedRequest request(String uri, List<HttpHeader> headers, String body) {
        return new InspectedRequest(
                "example_tool", "sha256:0", URI.create(uri), "POST", headers, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aSecretTheToolWroteIntoTheRequestIsBlockedAndABoundPlaceholderIsNot() {
        DlpEgressInspector inspector = DlpEgressInspector.create(DlpEngine.create(), "tenant-a", audit::add);
        InspectionVerdict leak = inspector.onRequest(request(
                "https://api.example.com/upload",
                List.of(new HttpHeader("content-type", "text/plain")),
                "token=" + GITHUB_PAT));
        InspectionVerdict.Block b = assertInstanceOf(InspectionVerdict.Block.class, leak);
        assertTrue(b.reason().contains("github-pat-classic"), b.reason());
        assertFalse(b.reason().contains(GITHUB_PAT));
        assertEquals(Direction.EGRESS_REQUEST, audit.getFirst().context().direction());

        InspectionVerdict bound = inspector.onRequest(request(
                "https://api.example.com/upload",
                List.of(
                        new HttpHeader("authorization", "Bearer atoll-secret:GITHUB_TOKEN"),
                        new HttpHeader("x-api-secret", "atoll-secret:GITHUB_ACCESS_TOKEN_FOR_DEPLOYS")),
                "{\"client_secret\": \"atoll-secret:EXAMPLE_CLIENT_SECRET_VALUE\"}"));
        assertInstanceOf(InspectionVerdict.Allow.class, bound);
    }

    @Test
    void headersAndTheUrlAreScannedToo() {
        DlpEgressInspector inspector = DlpEgressInspector.create(DlpEngine.create(), "tenant-a", audit::add);
        assertInstanceOf(
                InspectionVerdict.Block.class,
                inspector.onRequest(request(
                        "https://api.example.com/x", List.of(new HttpHeader("x-debug", "key " + GITHUB_PAT)), "")));
        assertInstanceOf(
                InspectionVerdict.Block.class,
                inspector.onRequest(request("https://api.example.com/x?k=" + GITHUB_PAT, List.of(), "")));
    }

    @Test
    void responsesFollowTheEgressResponsePolicy() {
        InspectedRequest req = request("https://api.example.com/people", List.of(), "");
        InspectedResponse resp = new InspectedResponse(
                200,
                List.of(new HttpHeader("content-type", "application/json")),
                ("{\"mail\":\"" + EMAIL + "\"}").getBytes(StandardCharsets.UTF_8));
        // Default: PII in a response is only logged.
        DlpEgressInspector logOnly = DlpEgressInspector.create(DlpEngine.create(), "tenant-a", audit::add);
        assertInstanceOf(InspectionVerdict.Allow.class, logOnly.onResponse(req, resp));
        assertEquals(1, audit.size());
        // With an override the tool gets a redacted body.
        DlpEngine redacting = DlpEngine.builder()
                .policy(DlpPolicy.builder()
                        .defaultAction(Direction.EGRESS_RESPONSE, Category.PII, Action.REDACT)
                        .build())
                .build();
        InspectionVerdict.Replace r = assertInstanceOf(
                InspectionVerdict.Replace.class,
                DlpEgressInspector.create(redacting, "tenant-a", audit::add).onResponse(req, resp));
        assertEquals("{\"mail\":\"[REDACTED:email-address]\"}", new String(r.body(), StandardCharsets.UTF_8));
        assertEquals(resp.headers(), r.headers());
    }

    @Test
    void aBlankTenantFailsFast() {
        assertThrows(IllegalArgumentException.class, () -> DlpEgressInspector.create(DlpEngine.create(), " ", r -> {}));
    }
}

package dev.atoll.gateway.internal.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.backend.CallContext;
import dev.atoll.gateway.backend.FeatureSource.Offer;
import dev.atoll.gateway.backend.ToolOutcome;
import dev.atoll.gateway.backend.ToolReply;
import dev.atoll.gateway.registry.SandboxKind;
import dev.atoll.gateway.registry.UpstreamInfo;
import dev.atoll.gateway.registry.UpstreamLimits;
import dev.atoll.gateway.registry.UpstreamSpec;
import dev.atoll.gateway.registry.UpstreamTool;
import dev.atoll.gateway.registry.UpstreamToolState;
import dev.atoll.gateway.upstream.internal.UpstreamBackend;
import dev.atoll.runtime.Receipt;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which upstream resources and prompts are offered, and how requests are renamed and checked. */
class UpstreamFeaturesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aUriTwoUpstreamsOfferIsServedByNeitherAndOnlyServingPinsCount() throws Exception {
        UpstreamFeatures f = new UpstreamFeatures((u, m, p) -> {
            throw new AssertionError("no request expected");
        });
        boolean changed = f.update(clashingPins());
        assertTrue(changed);
        assertEquals(List.of("file:///a"), keys(f.resources(), "uri"), "a clash is refused, a relative URI dropped");
        assertEquals(List.of(), keys(f.resourceTemplates(), "uriTemplate"));
        assertEquals(List.of("a__hello", "b__hello"), keys(f.prompts(), "name"), "prompts are namespaced");
        assertEquals("a__", f.resources().getFirst().owner());
        assertFalse(f.update(clashingPins()), "the same pins (equal, newly read) are no change");
    }

    @Test
    void aPromptIsAskedForByItsOwnNameAndAnInvalidAnswerIsRefused() throws Exception {
        List<ObjectNode> sent = new ArrayList<>();
        ObjectNode[] answer = {(ObjectNode) JSON.readTree("""
                {"messages":[{"role":"user","content":{"type":"text","text":"hi"}}],"_meta":{"x":1}}""")};
        UpstreamFeatures f = new UpstreamFeatures((u, m, p) -> {
            sent.add(p);
            return new ToolReply.Result(answer[0], List.of(), List.of(), ToolOutcome.OK, Receipt.none());
        });
        f.update(List.of(upstream("a", features("{\"name\":\"#features\",\"prompts\":[{\"name\":\"hello\"}]}", true))));
        Offer o = f.prompts().getFirst();
        ObjectNode request =
                (ObjectNode) JSON.readTree("{\"method\":\"prompts/get\",\"params\":{\"name\":\"a__hello\"}}");
        ToolReply r = f.call(o.entry(), request, new CallContext("t", Optional.empty()));
        assertEquals("hello", sent.getFirst().path("name").asText());
        assertEquals(
                "{\"messages\":[{\"role\":\"user\",\"content\":{\"type\":\"text\",\"text\":\"hi\"}}]}",
                ((ToolReply.Result) r).result().toString());

        answer[0] = (ObjectNode)
                JSON.readTree("{\"messages\":[{\"role\":\"system\",\"content\":{\"type\":\"text\",\"text\":\"x\"}}]}");
        ToolReply bad = f.call(o.entry(), request, new CallContext("t", Optional.empty()));
        assertTrue(
                bad instanceof ToolReply.Rejected rej
                        && rej.outcome() == ToolOutcome.UPSTREAM_PROTOCOL_ERROR
                        && rej.message().contains("role"),
                bad.toString());
    }

    private static List<String> keys(List<Offer> offers, String key) {
        return offers.stream()
                .map(o -> o.definition().path(key).asText())
                .sorted()
                .toList();
    }

    /** Upstreams a and b offer the same URI, template and prompt name; c's definitions are not served. */
    private static List<UpstreamInfo> clashingPins() throws Exception {
        return List.of(
                upstream("a", features("""
                        {"name":"#features","resources":[{"uri":"file:///shared","name":"s"},{"uri":"file:///a","name":"a"},
                          {"uri":"relative/x","name":"r"}],
                         "resourceTemplates":[{"uriTemplate":"file:///t/{id}","name":"t"}],
                         "prompts":[{"name":"hello"},{"name":"bad name!"}]}""", true)),
                upstream("b", features("""
                        {"name":"#features","resources":[{"uri":"file:///shared","name":"s"}],
                         "resourceTemplates":[{"uriTemplate":"file:///t/{id}","name":"t"}],"prompts":[{"name":"hello"}]}""", true)),
                upstream("c", features("""
                        {"name":"#features","resources":[{"uri":"file:///pulled","name":"p"}]}""", false)));
    }

    private static UpstreamTool features(String json, boolean serving) throws Exception {
        ObjectNode def = (ObjectNode) JSON.readTree(json);
        return new UpstreamTool(
                "x",
                UpstreamBackend.FEATURES,
                serving ? UpstreamToolState.APPROVED : UpstreamToolState.PULLED,
                true,
                "d1",
                def,
                Optional.of(serving ? "d1" : "d0"),
                Optional.of(def),
                1,
                List.of());
    }

    private static UpstreamInfo upstream(String name, UpstreamTool features) {
        UpstreamSpec spec = new UpstreamSpec(
                name,
                SandboxKind.BUBBLEWRAP,
                Optional.empty(),
                List.of("node"),
                Map.of(),
                List.of(),
                List.of(),
                UpstreamLimits.DEFAULT);
        return new UpstreamInfo(spec, true, Instant.EPOCH, "test", Optional.of(Instant.EPOCH), List.of(features));
    }
}

package dev.atoll.gateway.internal.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.backend.CatalogEntry;
import dev.atoll.gateway.backend.FeatureSource;
import dev.atoll.gateway.backend.ToolOutcome;
import dev.atoll.gateway.backend.ToolReply;
import dev.atoll.gateway.internal.http.Caller;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * The subscription bookkeeping of {@link Features} against a recording source: the source is asked
 * to watch a URI once however many sessions subscribe, and to stop when the last one unsubscribes or
 * ends; its refusal is the client's error; its updates reach the sessions subscribed through it; a
 * catalogue change tells a template subscriber only when the version serving its URI changed.
 */
class FeaturesTest {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Caller ALL = new Caller("t", Set.of("*"), "tok");

    /** A source of one resource and one template, recording the watch calls. */
    private static final class Recording implements FeatureSource {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<BiConsumer<String, String>> listeners = new CopyOnWriteArrayList<>();
        volatile String digest = "d1";
        volatile Optional<ToolReply.Rejected> refusal = Optional.empty();

        private Offer offer(String key, String value) {
            CatalogEntry e = new CatalogEntry(
                    "owner",
                    1,
                    digest,
                    F.objectNode(),
                    (t, a, c) -> {
                        throw new AssertionError("not called");
                    },
                    "handle");
            return new Offer(F.objectNode().put(key, value).put("name", "n"), "owner", e);
        }

        @Override
        public List<Offer> resources() {
            return List.of(offer("uri", "r://doc"));
        }

        @Override
        public List<Offer> resourceTemplates() {
            return List.of(offer("uriTemplate", "r://pages/{id}"));
        }

        @Override
        public List<Offer> prompts() {
            return List.of();
        }

        @Override
        public Optional<ToolReply.Rejected> subscribe(Offer offer, String uri) {
            calls.add("subscribe " + uri);
            return refusal;
        }

        @Override
        public void unsubscribe(Offer offer, String uri) {
            calls.add("unsubscribe " + uri);
        }

        @Override
        public void onResourceUpdated(BiConsumer<String, String> listener) {
            listeners.add(listener);
        }
    }

    private static ObjectNode uri(String uri) {
        return F.objectNode().put("uri", uri);
    }

    /** Every message queued on a stream now (they are queued synchronously by the calls under test). */
    private static List<String> drain(Streams.Subscription s) throws InterruptedException {
        List<String> out = new ArrayList<>();
        for (Optional<ObjectNode> next = s.next(0); next.isPresent(); next = s.next(0)) {
            ObjectNode m = next.get();
            out.add(m.path("method").asText()
                    + (m.path("params").has("uri")
                            ? " " + m.path("params").path("uri").asText()
                            : ""));
        }
        return out;
    }

    @Test
    void theSourceWatchesAUriOnceAndStopsWhenTheLastSessionLeaves() throws Exception {
        Recording source = new Recording();
        Streams streams = new Streams(8);
        Features f = new Features(
                List.of(source),
                (p, e, a, c) -> {
                    throw new AssertionError("not called");
                },
                streams);
        Streams.Subscription a = streams.open("a").orElseThrow();
        Streams.Subscription b = streams.open("b").orElseThrow();
        f.subscribe(ALL, "a", uri("r://doc"), true);
        f.subscribe(ALL, "b", uri("r://doc"), true);
        f.subscribe(ALL, "a", uri("r://doc"), true); // again: nothing new
        assertEquals(List.of("subscribe r://doc"), source.calls);

        source.listeners.forEach(l -> l.accept("owner", "r://doc"));
        source.listeners.forEach(l -> l.accept("someone-else", "r://doc"));
        source.listeners.forEach(l -> l.accept("owner", "r://other"));
        assertEquals(List.of("notifications/resources/updated r://doc"), drain(a));
        assertEquals(List.of("notifications/resources/updated r://doc"), drain(b));

        f.subscribe(ALL, "a", uri("r://doc"), false);
        assertEquals(List.of("subscribe r://doc"), source.calls, "b still wants it");
        source.listeners.forEach(l -> l.accept("owner", "r://doc"));
        assertEquals(List.of(), drain(a), "a unsubscribed");
        assertEquals(List.of("notifications/resources/updated r://doc"), drain(b));
        f.forget("b");
        assertEquals(List.of("subscribe r://doc", "unsubscribe r://doc"), source.calls);
    }

    @Test
    void aRefusalOfTheSourceIsTheClientsErrorAndLeavesNoSubscription() throws Exception {
        Recording source = new Recording();
        source.refusal = Optional.of(
                new ToolReply.Rejected(-32601, "no subscriptions here", ToolOutcome.UPSTREAM_ERROR, Optional.empty()));
        Streams streams = new Streams(8);
        Features f = new Features(List.of(source), (p, e, a, c) -> null, streams);
        JsonRpc.RpcException e =
                assertThrows(JsonRpc.RpcException.class, () -> f.subscribe(ALL, "a", uri("r://pages/1"), true));
        assertTrue(
                e.toResponse(null).toString().contains("no subscriptions here"),
                e.toResponse(null).toString());
        f.forget("a");
        assertEquals(List.of("subscribe r://pages/1"), source.calls, "nothing to unsubscribe");
    }

    @Test
    void aTemplateSubscriberHearsOfAChangeOnlyWhenTheVersionServingItsUriChanged() throws Exception {
        Recording source = new Recording();
        Streams streams = new Streams(8);
        Features f = new Features(List.of(source), (p, e, a, c) -> null, streams);
        Streams.Subscription a = streams.open("a").orElseThrow();
        f.subscribe(ALL, "a", uri("r://pages/7"), true);
        f.changed(streams); // another module changed: this URI is served as before
        assertEquals(List.of("notifications/resources/list_changed", "notifications/prompts/list_changed"), drain(a));
        source.digest = "d2";
        f.changed(streams);
        assertEquals(
                List.of(
                        "notifications/resources/list_changed",
                        "notifications/prompts/list_changed",
                        "notifications/resources/updated r://pages/7"),
                drain(a));
    }
}

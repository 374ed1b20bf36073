package dev.atoll.gateway.backend;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Where the gateway's MCP resources, resource templates and prompts come from: isolate modules today,
 * upstream servers later. A source lists what it offers now (approved versions only); each offer names
 * the {@link CatalogEntry} whose backend serves it, so reads, prompt gets and completions run through
 * the same pipeline (authorisation by the entry's name, DLP, audit, metrics) as tool calls.
 *
 * <p>The backend of an offer's entry receives, as the call's arguments, the MCP request as
 * {@code {"method": "...", "params": {...}}} ({@code resources/read}, {@code prompts/get} or
 * {@code completion/complete}) and answers with the MCP result object in
 * {@link ToolReply.Result#result()} (a {@code ReadResourceResult}, {@code GetPromptResult} or
 * {@code CompleteResult}), or {@link ToolReply.Rejected}. The gateway validates that result before it
 * reaches the client.
 */
public interface FeatureSource {

    /** @return the direct resources offered now */
    List<Offer> resources();

    /** @return the resource templates offered now */
    List<Offer> resourceTemplates();

    /** @return the prompts offered now */
    List<Offer> prompts();

    /**
     * Asks the source to watch a resource it offers for changes, because the first client session
     * subscribed to it (an upstream server is sent {@code resources/subscribe}). The gateway calls it
     * once per owner and URI however many sessions subscribe, and {@link #unsubscribe} when the last
     * one leaves. A source whose resources change only with a new version (isolate modules) needs
     * nothing: the gateway tells subscribers when another version serves the URI.
     *
     * @param offer the resource or template that serves the URI
     * @param uri the URI the client subscribed to
     * @return empty when watched, or why not (the client's subscribe fails with it)
     */
    default Optional<ToolReply.Rejected> subscribe(Offer offer, String uri) {
        return Optional.empty();
    }

    /**
     * Stops watching a resource: no session is subscribed to it any more. Must not block for long.
     *
     * @param offer the offer given to {@link #subscribe}
     * @param uri the URI
     */
    default void unsubscribe(Offer offer, String uri) {}

    /**
     * Registers who hears that a watched resource changed ({@code notifications/resources/updated} of an
     * upstream server), with the owner of the offer and the URI, both checked by the source.
     *
     * @param listener told of (owner, URI)
     */
    default void onResourceUpdated(BiConsumer<String, String> listener) {}

    /**
     * One resource, template or prompt and the entry that serves it.
     *
     * @param definition the MCP {@code Resource}, {@code ResourceTemplate} or {@code Prompt} object
     * @param owner the tool name whose grant lets a token see and use it (the module's tool)
     * @param entry who serves it (the gateway audits each request under {@code owner:method})
     */
    record Offer(ObjectNode definition, String owner, CatalogEntry entry) {

        /** Rejects nulls. */
        public Offer {
            Objects.requireNonNull(definition, "definition");
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(entry, "entry");
        }
    }
}

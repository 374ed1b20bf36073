package dev.atoll.gateway.backend;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

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

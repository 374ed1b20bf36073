package dev.atoll.gateway.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One tool of an upstream server as the registry knows it.
 *
 * @param upstream the upstream name
 * @param name the tool's name on the server
 * @param state its review state
 * @param present whether the server reported it the last time its tools were listed
 * @param digest SHA-256 of the canonical JSON of the current definition
 * @param definition the current definition (the MCP {@code Tool} object the server reports)
 * @param pinnedDigest the approved digest, if it was ever approved
 * @param pinnedDefinition the approved definition
 * @param version how many times it was pinned (1 after the first approval)
 * @param signs poisoning signs in the current definition
 */
public record UpstreamTool(
        String upstream,
        String name,
        UpstreamToolState state,
        boolean present,
        String digest,
        ObjectNode definition,
        Optional<String> pinnedDigest,
        Optional<ObjectNode> pinnedDefinition,
        int version,
        List<PoisoningSign> signs) {

    /** Rejects nulls, copies the list. */
    public UpstreamTool {
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(definition, "definition");
        Objects.requireNonNull(pinnedDigest, "pinnedDigest");
        Objects.requireNonNull(pinnedDefinition, "pinnedDefinition");
        signs = List.copyOf(signs);
    }

    /** Whether agents may see and call it: approved, reported, and its definition equals the pin. */
    public boolean serving() {
        return state == UpstreamToolState.APPROVED && present && pinnedDigest.equals(Optional.of(digest));
    }
}

package dev.atoll.gateway.registry;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A registered upstream server and its tools.
 *
 * @param spec how it is started
 * @param approved whether an operator ever approved it (its tools were pinned at least once)
 * @param createdAt when it was added
 * @param createdBy who added it
 * @param approvedAt when it was last approved
 * @param tools its tools, by name
 */
public record UpstreamInfo(
        UpstreamSpec spec,
        boolean approved,
        Instant createdAt,
        String createdBy,
        Optional<Instant> approvedAt,
        List<UpstreamTool> tools) {

    /** Rejects nulls, copies the list. */
    public UpstreamInfo {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(createdBy, "createdBy");
        Objects.requireNonNull(approvedAt, "approvedAt");
        tools = List.copyOf(tools);
    }

    /** The upstream name. */
    public String name() {
        return spec.name();
    }
}

package dev.atoll.runtime;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who a call runs for and what it runs: the export ({@link Entry}), the caller's tenant, and host
 * objects the host attaches for its bindings (for example the gateway's link back to the MCP client,
 * which its progress and sampling bindings use). Attachments never reach the guest.
 *
 * @param entry the exported function to run
 * @param tenant the caller's tenant ({@code ""} for none)
 * @param attachments host objects bindings may look up by type ({@link dev.atoll.runtime.spi.CallScope#attachment})
 */
public record Invocation(Entry entry, String tenant, List<Object> attachments) {

    /** Rejects nulls and copies the attachments. */
    public Invocation {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(tenant, "tenant");
        attachments = List.copyOf(attachments);
    }

    /**
     * A tool call for a tenant, with no attachments.
     *
     * @param tenant the tenant ({@code ""} for none)
     * @return the invocation
     */
    public static Invocation tool(String tenant) {
        return new Invocation(Entry.TOOL, tenant, List.of());
    }

    /**
     * The first attachment of a type.
     *
     * @param type the type
     * @param <T> the type
     * @return the attachment, if any
     */
    public <T> Optional<T> attachment(Class<T> type) {
        for (Object o : attachments) {
            if (type.isInstance(o)) {
                return Optional.of(type.cast(o));
            }
        }
        return Optional.empty();
    }
}

package dev.atoll.gateway.internal.pipeline;

import dev.atoll.gateway.backend.CallContext;
import dev.atoll.gateway.backend.CatalogEntry;
import dev.atoll.gateway.internal.http.Caller;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One {@code tools/call} on its way through the pipeline: who calls, which tool, the backend's call
 * context, and what the stages learned on the way that a later stage records (the ids of the DLP rules
 * that matched, for the audit record). One thread handles a call, so it is not thread-safe.
 */
public final class Call {

    private final Caller principal;
    private final CatalogEntry tool;
    private CallContext context;
    /** Written by the guest's thread too (DLP of progress and client requests), hence synchronized. */
    private final Set<String> dlpRules = java.util.Collections.synchronizedSet(new TreeSet<>());

    /**
     * Creates a call.
     *
     * @param principal who calls
     * @param tool the resolved tool
     * @param context what the backend gets besides the arguments
     */
    public Call(Caller principal, CatalogEntry tool, CallContext context) {
        this.principal = Objects.requireNonNull(principal, "principal");
        this.tool = Objects.requireNonNull(tool, "tool");
        this.context = Objects.requireNonNull(context, "context");
    }

    /** Who calls. */
    public Caller principal() {
        return principal;
    }

    /** The resolved tool (name, version, digest, backend). */
    public CatalogEntry tool() {
        return tool;
    }

    /** What the backend gets besides the arguments. */
    public CallContext context() {
        return context;
    }

    /**
     * Wraps the link back to the client (a stage that inspects what flows over it, such as DLP).
     *
     * @param wrap takes the current link and returns the one later stages and the backend use
     */
    void wrapClient(java.util.function.UnaryOperator<dev.atoll.gateway.backend.ClientLink> wrap) {
        context = new CallContext(context.tenant(), context.progressToken(), wrap.apply(context.client()));
    }

    /** Notes a DLP rule that matched a payload of this call. */
    void dlpMatched(String ruleId) {
        dlpRules.add(ruleId);
    }

    /** The ids of the DLP rules that matched so far, sorted. */
    Set<String> dlpRules() {
        synchronized (dlpRules) {
            return Set.copyOf(dlpRules);
        }
    }
}

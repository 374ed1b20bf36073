package dev.atoll.gateway.registry;

import dev.atoll.gateway.audit.AuditLog;
import dev.atoll.gateway.registry.internal.JdbcRegistry;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The tool registry: immutable, digest-pinned tool versions with a review state machine, the
 * serving catalogue, bearer tokens ({@link #tokens()}) and the hash-chained audit log
 * ({@link #audit()}), stored in one SQL database (embedded H2 by default, PostgreSQL for a fleet).
 *
 * <p>States (docs/registry.md): a deploy makes a {@link ToolState#QUARANTINED} version (or returns
 * the existing version with the same digest); {@link #approve} pins it and makes it the serving
 * version; a newer deploy stays quarantined while the approved version keeps serving;
 * {@link #rollback} serves an earlier approved version; {@link #disable} takes the tool out of
 * service without touching versions. Every mutation writes its audit record in the same transaction.
 *
 * <p>Thread-safe. Failures are {@link RegistryException}s with a {@link RegistryException.Reason}.
 */
public interface Registry extends AutoCloseable {

    /**
     * Opens (creating and migrating if needed) the registry database and starts the audit writer.
     *
     * @param config where the database is
     * @return the open registry
     * @throws RegistryException {@code STORAGE} if the database cannot be opened or migrated
     */
    static Registry open(RegistryConfig config) {
        return JdbcRegistry.open(config);
    }

    /**
     * Deploys a tool version.
     *
     * @param definition the tool file and manifest
     * @param actor who deploys
     * @return the new quarantined version, or the existing version with the same digest
     * @throws RegistryException {@code CONFLICT} if the name belongs to another source
     */
    DeployResult deploy(ToolDefinition definition, Actor actor);

    /**
     * Approves a version: pins its digest and makes it the serving version (the tool serves if
     * enabled). Approving the serving version again changes nothing.
     *
     * @param name tool name
     * @param version version number
     * @param actor who approves
     * @return the approved version
     * @throws RegistryException {@code NOT_FOUND}; {@code INVALID_STATE} for a rejected version
     */
    ToolVersion approve(String name, int version, Actor actor);

    /**
     * Rejects a quarantined version. The serving version cannot be rejected (roll back or disable first).
     *
     * @param name tool name
     * @param version version number
     * @param actor who rejects
     * @return the rejected version
     * @throws RegistryException {@code NOT_FOUND}; {@code INVALID_STATE} unless quarantined
     */
    ToolVersion reject(String name, int version, Actor actor);

    /**
     * Serves an earlier approved version instead of the current one.
     *
     * @param name tool name
     * @param toVersion an approved version older than the serving one
     * @param actor who rolls back
     * @return the tool after the rollback
     * @throws RegistryException {@code NOT_FOUND}; {@code INVALID_STATE} if the target is not approved
     *     or not older than the serving version
     */
    ToolInfo rollback(String name, int toVersion, Actor actor);

    /**
     * Takes a tool out of service (invisible and uncallable) without changing its versions.
     *
     * @param name tool name
     * @param actor who disables
     * @return the tool
     */
    ToolInfo disable(String name, Actor actor);

    /**
     * Puts a disabled tool back in service (at its serving version, if it has one).
     *
     * @param name tool name
     * @param actor who enables
     * @return the tool
     */
    ToolInfo enable(String name, Actor actor);

    /**
     * Deletes a tool and all its versions (its audit records stay).
     *
     * @param name tool name
     * @param actor who deletes
     * @throws RegistryException {@code NOT_FOUND}
     */
    void delete(String name, Actor actor);

    /** Every tool with its versions, by name. */
    List<ToolInfo> list();

    /**
     * One tool with its versions.
     *
     * @param name tool name
     * @return the tool, empty if unknown
     */
    Optional<ToolInfo> tool(String name);

    /**
     * The code of one version.
     *
     * @param name tool name
     * @param version version number
     * @return the source text, empty if unknown
     */
    Optional<String> code(String name, int version);

    /**
     * What a version changes compared with the last approved version, and its poisoning signs.
     *
     * @param name tool name
     * @param version version number
     * @return the review
     * @throws RegistryException {@code NOT_FOUND}
     */
    ToolChanges changes(String name, int version);

    /**
     * The serving catalogue. Cheap: a snapshot kept in memory, replaced at once after a change
     * through this registry and re-checked against the database every {@code catalogueRefresh}
     * (changes by other nodes).
     */
    Catalogue catalogue();

    /**
     * The serving version of one tool: what {@code tools/call} may run.
     *
     * @param name tool name
     * @return the tool; empty when unknown, quarantined, rejected or disabled (callers must answer
     *     all of these with the same "unknown tool" error)
     */
    default Optional<ServingTool> serving(String name) {
        return catalogue().find(name);
    }

    /**
     * Registers a listener told whenever the catalogue changes: on the thread that made the change
     * (after commit) or that noticed another node's change, one call at a time, in revision order.
     * Keep listeners quick (hand work to another thread); exceptions are logged and ignored.
     *
     * @param listener receives the new catalogue
     * @return closing it removes the listener
     */
    AutoCloseable onCatalogueChange(Consumer<Catalogue> listener);

    /**
     * Registers a listener told when a version is deployed or rejected on any node sharing this
     * database (docs/fleet.md, "Propagation"): after the commit on the node that made the change,
     * and through the fleet's notification on every other node (nothing is told of a change that
     * rolled back; a notification lost while a node was not listening is not replayed). Called on
     * the thread that made or received the change; keep listeners quick, exceptions are logged and
     * ignored.
     *
     * @param listener receives the change
     * @return closing it removes the listener
     */
    AutoCloseable onReviewChange(Consumer<ReviewChange> listener);

    /**
     * Places a tool in a set of regions (docs/fleet.md, "Regions and placement"): nodes of other
     * regions neither list nor run it. A registry mutation: audited ({@code tool.place}), moves the
     * catalogue revision and reaches every node like any other change.
     *
     * @param name tool name
     * @param regions 1-32 of {@code [a-z0-9-]} each, starting with a letter, at most 12; empty means
     *     every region (the default)
     * @param actor who places it
     * @return the tool
     * @throws RegistryException {@code NOT_FOUND}; {@code INVALID_ARGUMENT} for a bad region
     */
    ToolInfo place(String name, java.util.Set<String> regions, Actor actor);

    /** Bearer tokens. */
    Tokens tokens();

    /** The nodes sharing this database and how changes propagate to this one (docs/fleet.md). */
    Fleet fleet();

    /** Where each node serves its admin API (the fleet-wide live tail, docs/ui.md). */
    AdminEndpoints adminEndpoints();

    /** Upstream MCP servers and the pins of their tools. */
    Upstreams upstreams();

    /** The audit log. */
    AuditLog audit();

    /** Writes every queued audit record, stops the audit writer and closes the database. */
    @Override
    void close();
}

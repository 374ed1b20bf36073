/**
 * What the gateway knows and remembers: the tool registry ({@link dev.atoll.gateway.registry.Registry},
 * its entry point: tool versions, tokens, upstream definitions) and the hash-chained audit log, in one
 * database (H2 or PostgreSQL) with Flyway migrations.
 *
 * <p>Null-marked: no parameter, return value or field is null unless it says {@code @Nullable}
 * (NullAway checks it at compile time).
 */
@org.jspecify.annotations.NullMarked
module dev.atoll.gateway.registry {
    requires static org.jspecify;
    requires transitive dev.atoll.runtime;
    requires transitive com.fasterxml.jackson.databind;
    requires com.github.benmanes.caffeine;
    requires java.sql;
    requires java.logging;
    requires com.zaxxer.hikari;
    requires flyway.core;
    requires org.postgresql.jdbc; // LISTEN/NOTIFY (PGConnection.getNotifications) for the fleet

    exports dev.atoll.gateway.registry;
    exports dev.atoll.gateway.audit;
    // The gateway's metrics read the audit writer's counters (AuditLogImpl).
    exports dev.atoll.gateway.audit.internal to
            dev.atoll.gateway;
}

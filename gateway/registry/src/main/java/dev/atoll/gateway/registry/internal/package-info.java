/**
 * JDBC implementation of the registry (not exported): connection pool and Flyway migrations
 * ({@code Database}), canonical JSON and digests, the tool store, token store, diff and poisoning
 * scanner. SQL here is portable between H2 and PostgreSQL.
 */
package dev.atoll.gateway.registry.internal;

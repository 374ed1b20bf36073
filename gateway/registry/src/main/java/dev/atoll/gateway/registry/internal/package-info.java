/**
 * JDBC implementation of the registry (not exported): the tool store, token store, upstream store, diff
 * and poisoning scanner, on the shared database of {@code dev.atoll.gateway.store}. SQL here is portable
 * between H2 and PostgreSQL.
 */
package dev.atoll.gateway.registry.internal;

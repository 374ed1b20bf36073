/**
 * What the registry and the audit chain share, neither owning it (not exported): the database
 * ({@code Database}: connection pool, Flyway migrations, the one way to run a transaction) and canonical
 * JSON with its digests ({@code Canonical}), which tool digests and the audit chain's hashes both use.
 */
package dev.atoll.gateway.store;

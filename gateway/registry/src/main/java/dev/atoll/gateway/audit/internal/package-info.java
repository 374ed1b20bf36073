/**
 * Audit log internals (not exported): the record encodings and hash, the chain SQL with its
 * head-row lock, and the batching call writer.
 */
package dev.atoll.gateway.audit.internal;

/**
 * The append-only, hash-chained audit log: records of every registry and token change (written
 * in the change's own transaction) and of every MCP tool call (group-committed by one writer
 * thread); verification, tail, queries and JSONL export. See docs/registry.md, "Audit chain".
 */
package dev.atoll.gateway.audit;

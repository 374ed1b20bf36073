/**
 * MCP over Streamable HTTP, written for Atoll on Helidon and Jackson: both protocol eras (the
 * session-based 2025 revisions and the stateless 2026-07-28 one), negotiated per request; the live
 * catalogue it serves ({@link dev.atoll.gateway.internal.mcp.ServedTools}) and the {@code retrieve_tools}
 * search over it.
 */
package dev.atoll.gateway.internal.mcp;

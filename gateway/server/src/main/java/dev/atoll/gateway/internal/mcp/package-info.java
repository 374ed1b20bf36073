/**
 * MCP over Streamable HTTP, written for Atoll on Helidon and Jackson: both protocol eras (the
 * session-based 2025 revisions and the stateless 2026-07-28 one), negotiated per request.
 */
package dev.atoll.gateway.internal.mcp;

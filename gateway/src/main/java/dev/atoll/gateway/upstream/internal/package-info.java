/**
 * Upstream MCP servers, inside the gateway: the bubblewrap launcher, the stdio MCP client, the
 * supervisor that starts, health-checks, restarts and recycles them, and the backend that puts their
 * tools in the catalogue. Not exported.
 */
package dev.atoll.gateway.upstream.internal;

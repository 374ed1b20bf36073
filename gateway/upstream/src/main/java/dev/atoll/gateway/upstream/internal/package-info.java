/**
 * Upstream MCP servers, inside the gateway: the sandbox launchers (bubblewrap, and Docker through the
 * Engine API), the stdio MCP client, the supervisor that starts, health-checks, restarts and recycles
 * them, the backend that puts their tools in the catalogue, and their egress: the per-upstream egress
 * proxy and the bridge that makes it reachable inside a sandbox without a network. Not exported.
 */
package dev.atoll.gateway.upstream.internal;

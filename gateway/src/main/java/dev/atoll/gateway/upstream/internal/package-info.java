/**
 * Implementations of the upstream sandbox launchers (Docker Engine API, bubblewrap), the egress
 * bridge that makes the gateway's per-upstream egress proxy reachable inside a sandbox without a
 * network, and the egress proxy itself. Not exported.
 */
package dev.atoll.gateway.upstream.internal;

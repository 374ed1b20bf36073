/**
 * Public API of the host bindings: {@link dev.atoll.host.bindings.EgressPolicy} decides whether a
 * tool may reach one URL, ending in one {@link dev.atoll.host.bindings.EgressDecision} of a closed
 * set, with the address to connect to pinned.
 */
package dev.atoll.host.bindings;
